// The live page: one EventSource, three uPlot charts, a few tables. Every frame is a LiveFrame (LiveFrame.cs).
// The DOM carries the figures a test reads: body[data-updates], [data-threads], [data-queued], [data-source].
'use strict';
(() => {
  const KEEP_SECONDS = 120;
  const livePort = document.querySelector('meta[name="live-port"]').content;
  const ownUrl = '/live/stream';
  const listenerUrl = livePort === '0' || location.port === livePort
    ? ownUrl
    : `${location.protocol}//${location.hostname}:${livePort}${ownUrl}`;

  const $ = id => document.getElementById(id);
  const esc = s => String(s).replace(/[&<>"]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
  const fmt = n => n == null ? '–' : n >= 1000 ? Math.round(n).toLocaleString('en') : (Math.round(n * 10) / 10).toString();

  // Column arrays, oldest first: time (s), threads, queued, probe ms, load rate, load p95.
  const data = { t: [], threads: [], queued: [], probe: [], rate: [], p95: [] };
  const markers = []; // { t, kind: 'starvation' | 'blocking' }
  let last = null, updates = 0, lastAt = 0;
  const arrivals = [];

  const markerPlugin = () => ({
    hooks: {
      draw: u => {
        const { ctx } = u;
        const [min, max] = [u.scales.x.min, u.scales.x.max];
        ctx.save();
        // A faint full-height line and a solid tick in a band at the top: under starvation the runtime speaks every
        // few hundred ms, and full-strength lines would hide the series. Waits at the band's bottom, starvation above.
        const band = 10 * devicePixelRatio;
        for (const [kind, colour, top] of [['blocking', '255,179,71', band], ['starvation', '255,59,59', 0]]) {
          for (const m of markers) {
            if (m.kind !== kind || m.t < min || m.t > max) continue;
            const x = Math.round(u.valToPos(m.t, 'x', true));
            ctx.strokeStyle = `rgba(${colour},.22)`;
            ctx.lineWidth = 2 * devicePixelRatio;
            ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
            ctx.strokeStyle = `rgb(${colour})`;
            ctx.lineWidth = 4 * devicePixelRatio;
            ctx.beginPath(); ctx.moveTo(x, u.bbox.top + top); ctx.lineTo(x, u.bbox.top + top + band); ctx.stroke();
          }
        }
        ctx.restore();
      },
    },
  });

  const axis = (scale, side) => ({ scale, side, stroke: '#8d9aa5', grid: { stroke: '#2a323a', show: side === 3 }, ticks: { stroke: '#2a323a' }, size: 60 });
  // Taller charts on a taller screen: a projector shows the page alone.
  const chartHeight = () => Math.max(200, Math.min(420, innerHeight - 620));
  const chart = (el, series, scales, axes) => new uPlot({
    width: el.clientWidth || 400, height: chartHeight(), plugins: [markerPlugin()], legend: { live: false },
    scales: { x: { time: true }, ...scales },
    series: [{}, ...series.map(s => ({ points: { show: false }, ...s }))],
    axes: [{ stroke: '#8d9aa5', grid: { stroke: '#2a323a' }, ticks: { stroke: '#2a323a' } }, ...axes],
  }, [[]].concat(series.map(() => [])), el);

  const charts = [
    chart($('chart-pool'), [
      { label: 'threads', stroke: '#7fb8ff', width: 3, scale: 'n' },
      { label: 'queued', stroke: '#ff5d5d', width: 2, scale: 'q' },
    ], { n: { range: (u, lo, hi) => [0, Math.max(8, hi * 1.1)] }, q: { range: (u, lo, hi) => [0, Math.max(10, hi * 1.1)] } },
    [axis('n', 3), axis('q', 1)]),
    chart($('chart-probe'), [
      { label: 'probe ms', stroke: '#ffb347', width: 3, scale: 'ms' },
    ], { ms: { range: (u, lo, hi) => [0, Math.max(10, hi * 1.1)] } }, [axis('ms', 3)]),
    chart($('chart-load'), [
      { label: 'req/s', stroke: '#4fd18b', width: 3, scale: 'r' },
      { label: 'p95 ms', stroke: '#ff5d5d', width: 2, scale: 'ms' },
    ], { r: { range: (u, lo, hi) => [0, Math.max(10, hi * 1.1)] }, ms: { range: (u, lo, hi) => [0, Math.max(100, hi * 1.1)] } },
    [axis('r', 3), axis('ms', 1)]),
  ];
  addEventListener('resize', () => charts.forEach(c => c.setSize({ width: c.root.parentElement.clientWidth - 12, height: chartHeight() })));

  function push(frame) {
    const t = frame.unixMs / 1000;
    const top = frame.variants.find(v => `${v.pitfall}/${v.variant}` === frame.underLoad[0]);
    data.t.push(t); data.threads.push(frame.threadPool.threads); data.queued.push(frame.threadPool.queued);
    data.probe.push(frame.probeMs); data.rate.push(top ? top.ratePerSecond : 0); data.p95.push(top ? top.p95Ms : null);
    while (data.t.length && data.t[0] < t - KEEP_SECONDS) Object.values(data).forEach(a => a.shift());
    if (last && frame.runtime.starvationEvents > last.runtime.starvationEvents) markers.push({ t, kind: 'starvation' });
    if (last && frame.runtime.blockingWaits > last.runtime.blockingWaits) markers.push({ t, kind: 'blocking' });
    while (markers.length && markers[0].t < t - KEEP_SECONDS) markers.shift();
    charts[0].setData([data.t, data.threads, data.queued]);
    charts[1].setData([data.t, data.probe]);
    charts[2].setData([data.t, data.rate, data.p95]);
    $('load-caption').textContent = top ? `${frame.underLoad[0]}: requests/s (left) and p95 ms (right)` : 'Under load: requests/s (left) and p95 ms (right)';
  }

  function show(frame) {
    const pool = frame.threadPool;
    $('threads').textContent = pool.threads;
    $('queued').textContent = fmt(pool.queued);
    $('probe').textContent = `${fmt(frame.probeMs)} ms`;
    $('completed').textContent = fmt(pool.completedPerSecond);
    $('starvation').textContent = frame.runtime.starvationEvents;
    $('blocking').textContent = fmt(frame.runtime.blockingWaits);
    const [now, ...also] = frame.underLoad;
    const strip = $('strip');
    strip.className = !now ? 'idle' : now.endsWith('/good') ? 'good' : now.endsWith('/bad') ? 'bad' : 'other';
    $('load-now').textContent = now ?? 'nothing';
    $('load-also').textContent = also.length ? `also: ${also.join(', ')}` : '';
    const active = new Set(frame.underLoad);
    $('variants').tBodies[0].innerHTML = frame.variants.map(v => `<tr class="${active.has(`${v.pitfall}/${v.variant}`) ? 'active' : ''}">
      <td>${esc(v.pitfall)} / ${esc(v.variant)}</td><td>${v.inFlight}</td><td>${v.waiting}</td><td>${fmt(v.ratePerSecond)}</td><td>${fmt(v.p95Ms)}</td></tr>`).join('');
    $('pools').tBodies[0].innerHTML = frame.dbPools.map(p => `<tr><td>${esc(p.pool)}</td><td>${p.used}</td><td>${p.idle}</td><td>${p.max}</td><td>${p.pending}</td></tr>`).join('');
    const b = frame.backend;
    $('backend').innerHTML = b.error ? `unreadable: ${esc(b.error)}` : `in flight <b>${b.inFlight}</b> · 429s <b>${b.tooManyRequests ?? 0}</b> · calls <b>${fmt(b.total)}</b>`;
    $('counters').tBodies[0].innerHTML = frame.counters.map(c => `<tr><td>${esc(c.pitfall)}${c.variant ? ' / ' + esc(c.variant) : ''} · ${esc(c.key)}</td><td>${fmt(c.value)}</td></tr>`).join('');
    document.body.dataset.threads = pool.threads;
    document.body.dataset.queued = pool.queued;
    document.body.dataset.probeMs = frame.probeMs;
    document.body.dataset.seq = frame.seq;
    document.body.dataset.starvationEvents = frame.runtime.starvationEvents;
    document.body.dataset.blockingWaits = frame.runtime.blockingWaits;
    document.body.dataset.markers = markers.length;
  }

  function onFrame(event, source) {
    const frame = JSON.parse(event.data);
    push(frame); show(frame);
    last = frame; updates++; lastAt = Date.now();
    arrivals.push(lastAt);
    while (arrivals.length && arrivals[0] < lastAt - 5000) arrivals.shift();
    document.body.dataset.updates = updates;
    document.body.dataset.source = source;
    $('updates').textContent = updates;
    $('source').textContent = source === 'listener' ? `live listener :${livePort}` : 'Kestrel (starves with the pool)';
  }

  // Prefer the live listener; if it never answers (port 0, taken, or blocked), fall back to Kestrel's stream.
  function connect(url, source) {
    const es = new EventSource(url);
    let got = false;
    es.onmessage = e => { got = true; onFrame(e, source); };
    es.onerror = () => {
      if (!got && url !== ownUrl) { es.close(); connect(ownUrl, 'kestrel'); }
    };
  }
  connect(listenerUrl, listenerUrl === ownUrl && livePort === '0' ? 'kestrel' : 'listener');

  setInterval(() => {
    const age = lastAt ? (Date.now() - lastAt) / 1000 : null;
    $('age').textContent = age == null ? '–' : `${age.toFixed(1)} s ago`;
    $('rate').textContent = (arrivals.filter(a => a > Date.now() - 5000).length / 5).toFixed(1);
    document.body.classList.toggle('stale', age != null && age > 1);
  }, 250);
})();
