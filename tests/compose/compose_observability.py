"""validate-compose.py's checks of Prometheus, Grafana and k6's remote write (issue 11).

What a `docker compose up` would find broken without Docker: a provisioning file that does not
parse, a mount of a file that is missing, a scrape job aimed at the wrong service, a data source
uid the dashboards do not use, a k6 entrypoint that does not add the Prometheus output.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path
from typing import Callable

import yaml

SCRAPE_JOBS = {"pitfalllab-api": "api:8080", "pitfalllab-backend": "backend:8081"}
DATASOURCE = {"uid": "prometheus", "type": "prometheus", "url": "http://prometheus:9090"}
REMOTE_WRITE_URL = "http://prometheus:9090/api/v1/write"
TREND_STATS = "p(95),p(99)"
GRAFANA_ROLES = {"Viewer", "Editor", "Admin"}
DASHBOARDS = "ops/grafana/dashboards"


class Context:
    def __init__(self, base: Path, check: Callable[[object, str], bool], env_map, volume_pairs, interpolate):
        self.base, self.check = base, check
        self.env_map, self.volume_pairs, self.interpolate = env_map, volume_pairs, interpolate

    def host_path(self, service: dict, container_path: str) -> Path | None:
        """The repository path a container path comes from, through the service's bind mounts."""
        for source, target in self.volume_pairs(service):
            target = target.rstrip("/")
            if source.startswith(".") and (container_path == target or container_path.startswith(target + "/")):
                return (self.base / source / container_path[len(target):].lstrip("/")).resolve()
        return None

    def load_yaml(self, path: Path, who: str) -> object:
        try:
            return yaml.safe_load(path.read_text())
        except (OSError, yaml.YAMLError) as error:
            self.check(False, f"{who}: {path.name} does not parse as YAML: {error}")
            return None


def check_prometheus(ctx: Context, prom: dict) -> None:
    command = prom.get("command") or []
    args = command if isinstance(command, list) else str(command).split()
    ctx.check("--web.enable-remote-write-receiver" in args, "prometheus: command must pass --web.enable-remote-write-receiver (k6 writes there)")
    config = next((a.split("=", 1)[1] for a in args if str(a).startswith("--config.file=")), None)
    if not ctx.check(config, "prometheus: command must pass --config.file=<the mounted ops/prometheus/prometheus.yml>"):
        return
    host = ctx.host_path(prom, config)
    if not ctx.check(host and host.is_file(), f"prometheus: --config.file={config} is not a file mounted from the repository"):
        return
    doc = ctx.load_yaml(host, "prometheus") or {}
    jobs = {str(j.get("job_name")): j for j in doc.get("scrape_configs") or [] if isinstance(j, dict)}
    for job, target in SCRAPE_JOBS.items():
        if not ctx.check(job in jobs, f"prometheus: {host.name} has no scrape job {job} (the dashboards select on it)"):
            continue
        targets = [t for sc in jobs[job].get("static_configs") or [] for t in sc.get("targets") or []]
        ctx.check(targets == [target], f"prometheus: job {job} must scrape {target} (got {targets})")
        ctx.check(jobs[job].get("metrics_path", "/metrics") == "/metrics", f"prometheus: job {job} must scrape /metrics")
    promtool = shutil.which("promtool")
    if promtool:  # the real parser as well, where Debian's prometheus package is installed (CI installs it)
        result = subprocess.run([promtool, "check", "config", str(host)], capture_output=True, text=True, timeout=60)
        ctx.check(result.returncode == 0, f"prometheus: promtool check config {host.name} failed: {(result.stdout + result.stderr).strip()}")
    else:
        print("validate-compose: promtool not on PATH: ops/prometheus/prometheus.yml checked as YAML only (apt-get install prometheus)")


def check_grafana(ctx: Context, grafana: dict) -> None:
    env = ctx.env_map(grafana, "grafana")
    ctx.check(env.get("GF_AUTH_ANONYMOUS_ENABLED") == "true", "grafana: GF_AUTH_ANONYMOUS_ENABLED must be \"true\" (no login on a stage)")
    role = ctx.interpolate(env.get("GF_AUTH_ANONYMOUS_ORG_ROLE", ""))
    ctx.check(role in GRAFANA_ROLES, f"grafana: GF_AUTH_ANONYMOUS_ORG_ROLE must be one of {sorted(GRAFANA_ROLES)} (got {role!r})")
    ctx.check(env.get("GF_AUTH_DISABLE_LOGIN_FORM") == "true", "grafana: GF_AUTH_DISABLE_LOGIN_FORM must be \"true\"")
    ctx.check(ctx.host_path(grafana, "/etc/grafana/provisioning/datasources"), "grafana: nothing mounted at /etc/grafana/provisioning/datasources")
    ctx.check(ctx.host_path(grafana, "/etc/grafana/provisioning/dashboards"), "grafana: nothing mounted at /etc/grafana/provisioning/dashboards")
    sources, providers = [], []
    for kind, found in (("datasources", sources), ("dashboards", providers)):
        folder = ctx.host_path(grafana, f"/etc/grafana/provisioning/{kind}")
        if not folder or not folder.is_dir():
            continue
        files = sorted(p for p in folder.iterdir() if p.suffix in (".yml", ".yaml"))
        ctx.check(files, f"grafana: no provisioning YAML in {folder.relative_to(ctx.base)}")
        for path in files:
            doc = ctx.load_yaml(path, "grafana") or {}
            ctx.check(doc.get("apiVersion") == 1, f"grafana: {path.name} needs apiVersion: 1")
            found.extend(doc.get("datasources" if kind == "datasources" else "providers") or [])
    ctx.check(any(all(s.get(k) == v for k, v in DATASOURCE.items()) for s in sources),
              f"grafana: no provisioned data source with {DATASOURCE} (the dashboards name uid 'prometheus')")
    dashboards_dir = ctx.base / DASHBOARDS
    ctx.check(dashboards_dir.is_dir(), f"grafana: {DASHBOARDS}/ does not exist")
    provider_dirs = []
    for provider in providers:
        path = str((provider.get("options") or {}).get("path", ""))
        host = ctx.host_path(grafana, path)
        ctx.check(provider.get("type", "file") == "file", f"grafana: dashboard provider {provider.get('name')} must be type: file")
        if ctx.check(host and host.is_dir(), f"grafana: dashboard provider path {path!r} is not a folder mounted from the repository"):
            provider_dirs.append(host)
    ctx.check(dashboards_dir.resolve() in provider_dirs, f"grafana: no dashboard provider loads {DASHBOARDS}/")
    home = env.get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH", "")
    home_host = ctx.host_path(grafana, home) if home else None
    if ctx.check(home_host, f"grafana: GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH ({home!r}) must name a file in a mounted folder"):
        ctx.check(home_host.is_file(), f"grafana: the home dashboard {home_host.relative_to(ctx.base) if home_host.is_relative_to(ctx.base) else home_host} does not exist")
    for path in sorted(dashboards_dir.glob("*.json")) if dashboards_dir.is_dir() else []:
        check_dashboard(ctx, path)


def check_dashboard(ctx: Context, path: Path) -> None:
    try:
        doc = json.loads(path.read_text())
    except ValueError as error:
        ctx.check(False, f"grafana: {path.name} is not JSON: {error}")
        return
    ctx.check(doc.get("uid") and doc.get("title"), f"grafana: {path.name} needs a uid and a title")
    uids = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            source = node.get("datasource")
            if isinstance(source, dict) and "uid" in source:
                uids.add(str(source["uid"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    # "-- Grafana --" (annotations) and "${...}" variables are Grafana's own; every other uid must be provisioned.
    stray = {u for u in uids if u != DATASOURCE["uid"] and not u.startswith(("-- ", "$", "grafana"))}
    ctx.check(not stray, f"grafana: {path.name} names data source uid(s) {sorted(stray)}; the provisioned one is '{DATASOURCE['uid']}'")


def check_all(ctx: Context, services: dict) -> None:
    check_prometheus(ctx, services.get("prometheus") or {})
    check_grafana(ctx, services.get("grafana") or {})
    check_k6(ctx, services.get("k6") or {})


def check_k6(ctx: Context, k6: dict) -> None:
    env = ctx.env_map(k6, "k6")
    ctx.check(env.get("K6_PROMETHEUS_RW_SERVER_URL") == REMOTE_WRITE_URL, f"k6: K6_PROMETHEUS_RW_SERVER_URL should be {REMOTE_WRITE_URL} (got {env.get('K6_PROMETHEUS_RW_SERVER_URL')!r})")
    ctx.check(env.get("K6_PROMETHEUS_RW_TREND_STATS") == TREND_STATS, f"k6: K6_PROMETHEUS_RW_TREND_STATS should be {TREND_STATS} (got {env.get('K6_PROMETHEUS_RW_TREND_STATS')!r})")
    depends = k6.get("depends_on") or {}
    ctx.check(isinstance(depends, dict) and "prometheus" in depends, "k6: depends_on prometheus missing (remote write needs it up)")
    entrypoint = k6.get("entrypoint") or []
    entrypoint = entrypoint if isinstance(entrypoint, list) else str(entrypoint).split()
    script = ctx.host_path(k6, str(entrypoint[-1])) if entrypoint else None
    if ctx.check(script and script.is_file(), f"k6: the entrypoint {entrypoint} must run a script mounted from the repository (ops/k6/k6-prometheus)"):
        check_entrypoint_args(ctx, script, env)


def check_entrypoint_args(ctx: Context, script: Path, env: dict[str, str]) -> None:
    """Runs the entrypoint the way `docker compose run --rm k6 run pitfalls/blocking-io.js` would, with a
    k6 stand-in (K6_BIN) that prints the arguments it got: this checks the arguments, not k6 itself."""
    sh = shutil.which("sh")
    if not ctx.check(sh, "k6: no sh on PATH to run the entrypoint"):
        return
    with tempfile.TemporaryDirectory() as tmp:
        fake = Path(tmp) / "k6"
        fake.write_text('#!/bin/sh\nprintf "%s\\n" "$@"\nprintf "env %s\\n" "$K6_PROMETHEUS_RW_SERVER_URL" "$K6_PROMETHEUS_RW_TREND_STATS"\n')
        fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
        run_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "K6_BIN": str(fake), **env}
        result = subprocess.run([sh, str(script), "run", "pitfalls/blocking-io.js"], capture_output=True, text=True, env=run_env, timeout=30)
    got = result.stdout.splitlines()
    if not ctx.check(result.returncode == 0, f"k6: entrypoint exited {result.returncode}: {result.stderr.strip()}"):
        return
    pairs = list(zip(got, got[1:]))
    ctx.check(got[:1] == ["run"], f"k6: entrypoint must call k6 run (called k6 {' '.join(got)})")
    ctx.check(("-o", "experimental-prometheus-rw") in pairs, f"k6: entrypoint does not add -o experimental-prometheus-rw (k6 got: {' '.join(got)})")
    ctx.check(any(a == "--tag" and b.startswith("testid=blocking-io-") for a, b in pairs), f"k6: entrypoint does not add --tag testid=blocking-io-<time> (k6 got: {' '.join(got)})")
    ctx.check("pitfalls/blocking-io.js" in got, "k6: entrypoint dropped the script argument")
    ctx.check(f"env {REMOTE_WRITE_URL}" in got and f"env {TREND_STATS}" in got, f"k6: entrypoint changed the service's remote-write environment (k6 saw: {[g for g in got if g.startswith('env ')]})")
