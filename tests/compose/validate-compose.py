#!/usr/bin/env python3
"""Static checks for docker-compose.yml and the two Dockerfiles (no Docker needed).

    python3 tests/compose/validate-compose.py [path/to/docker-compose.yml] [--project-dir DIR]

(--project-dir: where relative paths resolve, like compose's --project-directory;
default: the compose file's folder.)

Checks what the apps and ./lab rely on: the services and their ports (published on
127.0.0.1 only), the configuration keys the apps read (ConnectionStrings__Lab,
Backend__BaseUrl, Simulator__ConcurrencyCap), the PostgreSQL settings (database, user,
max_connections=300, the schema mounted into /docker-entrypoint-initdb.d), healthchecks
and depends_on, the k6 service (profile "load"), that every file the compose file names
exists, and that every image (compose and Dockerfile FROM) is pinned: a tag, never
"latest". Prometheus, Grafana and k6's remote write: compose_observability.py.
Exits 1 with one line per problem, 0 when everything holds.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

try:
    import yaml
except ImportError:  # pragma: no cover
    sys.exit("validate-compose: PyYAML is required (Debian: apt-get install python3-yaml; pip install pyyaml)")

import compose_observability  # noqa: E402 (next to this file; needs yaml too)

REPO = Path(__file__).resolve().parents[2]

EXPECTED_SERVICES = {"postgres", "backend", "api", "k6", "prometheus", "grafana"}
# service -> (container port, default host port)
EXPECTED_PORTS = {"postgres": (5432, 15432), "backend": (8081, 8081), "api": (8080, 8080),
                  "prometheus": (9090, 9090), "grafana": (3000, 3000)}
DB = {"Database": "pitfalllab", "Username": "pitfalllab", "Password": "pitfalllab"}
SCHEMA = "src/PitfallLab.Api/Data/schema.sql"
DOCKERFILES = {"api": "src/PitfallLab.Api/Dockerfile", "backend": "src/PitfallLab.Backend/Dockerfile"}
PROJECTS = {"api": "src/PitfallLab.Api/PitfallLab.Api.csproj", "backend": "src/PitfallLab.Backend/PitfallLab.Backend.csproj"}
CENTRAL_FILES = ["global.json", "Directory.Build.props", "Directory.Packages.props", ".editorconfig"]

problems: list[str] = []


def check(condition: object, message: str) -> bool:
    if not condition:
        problems.append(message)
    return bool(condition)


# ----------------------------------------------------------------------------- helpers

INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)")


def interpolate(value: str) -> str:
    """Resolve ${VAR:-default} / ${VAR-default} to the default (what an empty environment gives)."""

    def repl(m: re.Match[str]) -> str:
        if m.group("bare") or m.group("op") is None:
            return ""
        if m.group("op") in (":-", "-"):
            return m.group("arg")
        return ""

    return INTERPOLATION.sub(repl, value.replace("$$", "\0")).replace("\0", "$")


def bad_dollars(text: str) -> list[str]:
    """Lines with a '$' compose cannot interpolate (write $$ for a literal dollar). Comment lines are skipped."""
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("#"):
            continue
        rest = INTERPOLATION.sub("", line.replace("$$", ""))
        if "$" in rest:
            out.append(f"line {number}: {line.strip()}")
    return out


def env_map(service: dict, name: str) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        result = {}
        for item in env:
            key, _, value = str(item).partition("=")
            result[key] = value
        return result
    if isinstance(env, dict):
        return {str(k): "" if v is None else str(v) for k, v in env.items()}
    check(False, f"{name}: 'environment' must be a mapping or a list")
    return {}


def parse_port(entry: object) -> dict | None:
    """Short ("[ip:]host:container[/proto]") or long syntax -> {ip, host, container}."""
    if isinstance(entry, dict):
        return {
            "ip": str(entry.get("host_ip", "")),
            "host": interpolate(str(entry.get("published", ""))),
            "container": str(entry.get("target", "")),
        }
    text = interpolate(str(entry)).split("/", 1)[0]
    parts = text.rsplit(":", 2)
    if len(parts) == 3:
        return {"ip": parts[0].strip("[]"), "host": parts[1], "container": parts[2]}
    if len(parts) == 2:
        return {"ip": "", "host": parts[0], "container": parts[1]}
    return {"ip": "", "host": "", "container": parts[0]}


def image_problem(ref: str) -> str | None:
    """None when pinned (a tag other than latest, or a digest)."""
    if "$" in ref:
        return "uses interpolation: pin a literal tag"
    if "@sha256:" in ref:
        return None
    last = ref.rsplit("/", 1)[-1]
    if ":" not in last:
        return "has no tag (that means latest): pin a version tag"
    tag = last.split(":", 1)[1]
    if not tag or tag.lower() == "latest":
        return "uses the 'latest' tag: pin a version tag"
    return None


def healthcheck_test(service: dict) -> str:
    test = (service.get("healthcheck") or {}).get("test")
    if isinstance(test, list):
        return " ".join(str(x) for x in test)
    return str(test or "")


def volume_pairs(service: dict) -> list[tuple[str, str]]:
    pairs = []
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            pairs.append((str(volume.get("source", "")), str(volume.get("target", ""))))
        else:
            bits = str(volume).split(":")
            if len(bits) >= 2:
                pairs.append((bits[0], bits[1]))
    return pairs


def is_bind_source(source: str) -> bool:
    return source.startswith((".", "/", "~"))


# ----------------------------------------------------------------------------- Dockerfiles

def check_dockerfile(service: str, path: Path, port: int) -> None:
    rel = path.relative_to(REPO)
    lines = []
    for raw in path.read_text().splitlines():
        if lines and lines[-1].endswith("\\"):
            lines[-1] = lines[-1][:-1] + " " + raw.strip()
        else:
            lines.append(raw.strip())
    instructions = [(l.split(None, 1)[0].upper(), l.split(None, 1)[1] if " " in l else "") for l in lines if l and not l.startswith("#")]

    stages: set[str] = set()
    froms = []
    for keyword, args in instructions:
        if keyword != "FROM":
            continue
        words = [w for w in args.split() if not w.startswith("--")]
        image = words[0] if words else ""
        if image.lower() not in stages:  # FROM <earlier stage> needs no tag
            froms.append(image)
            issue = image_problem(image)
            check(issue is None, f"{rel}: FROM {image} {issue}")
        if len(words) >= 3 and words[1].upper() == "AS":
            stages.add(words[2].lower())
    check(len(froms) >= 2, f"{rel}: expected a multi-stage build (sdk then aspnet), found {len(froms)} FROM")
    check(any(f.startswith("mcr.microsoft.com/dotnet/sdk:10.0") for f in froms), f"{rel}: the build stage must be mcr.microsoft.com/dotnet/sdk:10.0")
    check(froms and froms[-1].startswith("mcr.microsoft.com/dotnet/aspnet:10.0"), f"{rel}: the final stage must be mcr.microsoft.com/dotnet/aspnet:10.0")

    # Layer caching: the central build files and the csproj are copied (and restored) before the sources.
    copies = [args for keyword, args in instructions if keyword == "COPY" and "--from" not in args]
    project = PROJECTS[service]
    project_dir = str(Path(project).parent)
    def sources(copy_args: str) -> list[str]:
        return copy_args.split()[:-1]

    first_source_copy = next((i for i, c in enumerate(copies) if project_dir in [x.rstrip("/") for x in sources(c)]), None)
    check(first_source_copy is not None, f"{rel}: no COPY of {project_dir}/ (the project sources)")
    for name in CENTRAL_FILES + [project]:
        index = next((i for i, c in enumerate(copies) if name in sources(c)), None)
        if check(index is not None, f"{rel}: does not COPY {name} on its own (restore layer caching)"):
            check(first_source_copy is None or index < first_source_copy, f"{rel}: COPY {name} must come before the project sources")
        check((REPO / name).exists(), f"{rel}: copies {name}, which does not exist in the repository")
    run_lines = [args for keyword, args in instructions if keyword == "RUN"]
    check(any("dotnet restore" in r for r in run_lines), f"{rel}: no 'dotnet restore' step")
    check(any("dotnet publish" in r or "dotnet build" in r for r in run_lines), f"{rel}: no 'dotnet publish' step")

    envs = " ".join(args for keyword, args in instructions if keyword == "ENV")
    check(f"ASPNETCORE_URLS=http://0.0.0.0:{port}" in envs or f"ASPNETCORE_URLS=http://+:{port}" in envs,
          f"{rel}: ENV ASPNETCORE_URLS=http://0.0.0.0:{port} missing (listen on every interface inside the container)")
    users = [args.strip() for keyword, args in instructions if keyword == "USER"]
    check(users and users[-1] not in ("root", "0", "0:0"), f"{rel}: the runtime stage must switch to a non-root USER")
    entry = " ".join(args for keyword, args in instructions if keyword in ("ENTRYPOINT", "CMD"))
    check(Path(project).stem + ".dll" in entry, f"{rel}: ENTRYPOINT does not run {Path(project).stem}.dll")


# ----------------------------------------------------------------------------- compose

def main() -> int:
    parser = argparse.ArgumentParser(description="Static checks for docker-compose.yml and the Dockerfiles.")
    parser.add_argument("compose", nargs="?", default=str(REPO / "docker-compose.yml"))
    parser.add_argument("--project-dir", help="where relative paths resolve (default: the compose file's folder)")
    options = parser.parse_args()
    compose_path = Path(options.compose).resolve()
    if not compose_path.is_file():
        print(f"validate-compose: {compose_path} not found", file=sys.stderr)
        return 1
    base = Path(options.project_dir).resolve() if options.project_dir else compose_path.parent
    text = compose_path.read_text()
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as error:
        print(f"validate-compose: {compose_path} is not valid YAML: {error}", file=sys.stderr)
        return 1
    if not isinstance(doc, dict) or not isinstance(doc.get("services"), dict):
        print(f"validate-compose: {compose_path} has no 'services' mapping", file=sys.stderr)
        return 1

    for line in bad_dollars(text):
        check(False, f"compose: '$' that compose cannot interpolate (use $$ for a literal dollar): {line}")

    services: dict = doc["services"]
    missing = EXPECTED_SERVICES - services.keys()
    check(not missing, f"compose: missing services: {', '.join(sorted(missing))}")
    for name in services.keys() - EXPECTED_SERVICES:
        problems.append(f"compose: unexpected service '{name}' (update validate-compose.py if it is intended)")

    # Every image pinned; every published port on loopback; no host port used twice.
    seen_host_ports: dict[str, str] = {}
    for name, service in services.items():
        service = service or {}
        if "image" in service:
            issue = image_problem(str(service["image"]))
            check(issue is None, f"{name}: image {service['image']} {issue}")
        else:
            check("build" in service, f"{name}: neither image nor build")
        for entry in service.get("ports") or []:
            port = parse_port(entry)
            check(port["ip"] == "127.0.0.1", f"{name}: port {entry!r} must be bound to 127.0.0.1 on the host (e.g. \"127.0.0.1:8080:8080\")")
            if port["host"]:
                check(port["host"] not in seen_host_ports, f"{name}: host port {port['host']} is also published by {seen_host_ports.get(port['host'])}")
                seen_host_ports[port["host"]] = name
        if name != "k6":
            check(not service.get("profiles"), f"{name}: must not be behind a profile ('docker compose up' has to start it)")
        for source, _target in volume_pairs(service):
            if is_bind_source(source):
                check((base / source).exists(), f"{name}: mounts {source}, which does not exist")

    for name, (container, host) in EXPECTED_PORTS.items():
        service = services.get(name) or {}
        ports = [parse_port(p) for p in service.get("ports") or []]
        match = [p for p in ports if p["container"] == str(container)]
        if check(match, f"{name}: container port {container} is not published"):
            check(match[0]["host"] == str(host), f"{name}: container port {container} should be published on host port {host} by default (got {match[0]['host']!r})")

    # Builds: context = repo root, Dockerfile exists and is sound.
    for name, dockerfile in DOCKERFILES.items():
        service = services.get(name) or {}
        build = service.get("build")
        if not check(isinstance(build, dict), f"{name}: needs build: {{context: ., dockerfile: {dockerfile}}}"):
            continue
        context = (base / str(build.get("context", "."))).resolve()
        check(context == REPO, f"{name}: build context must be the repository root (got {build.get('context')!r})")
        path = (context / str(build.get("dockerfile", "Dockerfile"))).resolve()
        if check(path == (REPO / dockerfile).resolve(), f"{name}: build.dockerfile should be {dockerfile} (got {build.get('dockerfile')!r})") and \
                check(path.is_file(), f"{name}: {dockerfile} does not exist"):
            check_dockerfile(name, path, EXPECTED_PORTS[name][0])
    check((REPO / ".dockerignore").is_file(), "repo: .dockerignore missing (bin/obj/.git/.lab would be sent as build context)")

    # postgres
    pg = services.get("postgres") or {}
    pg_env = env_map(pg, "postgres")
    for key, value in (("POSTGRES_DB", "pitfalllab"), ("POSTGRES_USER", "pitfalllab"), ("POSTGRES_PASSWORD", "pitfalllab")):
        check(pg_env.get(key) == value, f"postgres: environment {key} should be {value} (got {pg_env.get(key)!r})")
    command = pg.get("command")
    command_text = " ".join(command) if isinstance(command, list) else str(command or "")
    check(re.search(r"max_connections\s*=\s*300\b", command_text), "postgres: command must set -c max_connections=300")
    schema_mounts = [(s, t) for s, t in volume_pairs(pg) if t.startswith("/docker-entrypoint-initdb.d/")]
    if check(schema_mounts, f"postgres: {SCHEMA} is not mounted into /docker-entrypoint-initdb.d/"):
        source, target = schema_mounts[0]
        check((base / source).resolve() == (REPO / SCHEMA).resolve(), f"postgres: the init script should be {SCHEMA} (got {source})")
        check((REPO / SCHEMA).is_file(), f"postgres: {SCHEMA} does not exist (the API project owns it)")
        check(target.endswith((".sql", ".sql.gz", ".sh")), f"postgres: init script target {target} must end with .sql (the entrypoint ignores other names)")
    check("pg_isready" in healthcheck_test(pg), "postgres: healthcheck must use pg_isready")

    # backend
    backend = services.get("backend") or {}
    check("Simulator__ConcurrencyCap" in env_map(backend, "backend"), "backend: environment Simulator__ConcurrencyCap missing")
    test = healthcheck_test(backend)
    check("8081" in test and "/health" in test, "backend: healthcheck must GET /health on port 8081")

    # api
    api = services.get("api") or {}
    api_env = env_map(api, "api")
    connection = api_env.get("ConnectionStrings__Lab")
    if check(connection, "api: environment ConnectionStrings__Lab missing"):
        parts = dict(p.split("=", 1) for p in connection.split(";") if "=" in p)
        check(parts.get("Host") == "postgres", f"api: ConnectionStrings__Lab must use Host=postgres (got {parts.get('Host')!r})")
        check(parts.get("Port", "5432") == "5432", "api: ConnectionStrings__Lab must use the container port 5432")
        for key, value in DB.items():
            check(parts.get(key) == value, f"api: ConnectionStrings__Lab {key} should be {value} (got {parts.get(key)!r})")
    check(api_env.get("Backend__BaseUrl", "").rstrip("/") == "http://backend:8081",
          f"api: environment Backend__BaseUrl should be http://backend:8081 (got {api_env.get('Backend__BaseUrl')!r})")
    depends = api.get("depends_on") or {}
    for dependency in ("postgres", "backend"):
        condition = (depends.get(dependency) or {}).get("condition") if isinstance(depends, dict) else None
        check(condition == "service_healthy", f"api: depends_on {dependency} must have condition: service_healthy")
    check(str(api.get("cpus")) in ("2", "2.0"), f"api: cpus should be 2 (got {api.get('cpus')!r})")
    test = healthcheck_test(api)
    check("8080" in test and "/health" in test, "api: healthcheck must GET /health on port 8080")
    for name in ("backend", "api"):
        test = healthcheck_test(services.get(name) or {})
        check(not re.search(r"\b(curl|wget)\b", test), f"{name}: healthcheck uses curl/wget, which the aspnet image does not have")
    for name, port in (("prometheus", 9090), ("grafana", 3000)):
        test = healthcheck_test(services.get(name) or {})
        check(str(port) in test, f"{name}: healthcheck must GET a readiness URL on port {port}")
        check(not re.search(r"\bcurl\b", test), f"{name}: healthcheck uses curl, which the (busybox-based) image lacks: use wget")

    compose_observability.check_all(compose_observability.Context(base, check, env_map, volume_pairs, interpolate), services)

    # k6
    k6 = services.get("k6") or {}
    check("load" in (k6.get("profiles") or []), "k6: must be under profiles: [load]")
    check(k6.get("working_dir") == "/scripts", "k6: working_dir must be /scripts")
    k6_mounts = [(s, t) for s, t in volume_pairs(k6) if t.rstrip("/") == "/scripts"]
    if check(k6_mounts, "k6: ./k6 must be mounted at /scripts"):
        check((base / k6_mounts[0][0]).resolve() == (REPO / "k6").resolve(), f"k6: /scripts must be ./k6 (got {k6_mounts[0][0]})")
    k6_env = env_map(k6, "k6")
    check(k6_env.get("BASE_URL", "").rstrip("/") == "http://api:8080", f"k6: BASE_URL should be http://api:8080 (got {k6_env.get('BASE_URL')!r})")
    check(k6_env.get("RESULTS_DIR") == "results", f"k6: RESULTS_DIR should be results (got {k6_env.get('RESULTS_DIR')!r})")
    check((REPO / "k6" / "results").is_dir(), "k6: k6/results/ must exist (k6 does not create RESULTS_DIR)")

    if problems:
        print(f"validate-compose: {len(problems)} problem(s) in {compose_path.relative_to(REPO) if compose_path.is_relative_to(REPO) else compose_path}:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"validate-compose: OK ({', '.join(sorted(services))}; ports on 127.0.0.1: "
          + ", ".join(f"{n} {h}->{c}" for n, (c, h) in EXPECTED_PORTS.items()) + "; images pinned)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
