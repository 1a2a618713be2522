import { escapeHtml } from '../scenarios/report/escape.ts';

/**
 * The status page of a rehearsal: one self-contained HTML document (no CDN,
 * no external file), updated live from `GET /api/events` (Server-Sent
 * Events carrying the `GET /api/status` JSON), with a device lookup on
 * `GET /api/devices/:eui`. Every value from the twin is written with
 * `textContent`, never as markup.
 */

/** Element ids the page fills in, for tests and for anyone scripting against the page. */
export const STATUS_PAGE_IDS = {
  simTime: 'sim-time',
  ukTime: 'uk-time',
  speed: 'speed',
  lag: 'lag',
  consumersOff: 'consumers-off',
  responsesTotal: 'responses-total',
  alertsTotal: 'alerts-total',
  connection: 'connection',
  deviceForm: 'device-form',
  deviceInput: 'device-eui',
  deviceResult: 'device-result',
} as const;

export function statusPage(title: string): string {
  const t = escapeHtml(title);
  const ids = JSON.stringify(STATUS_PAGE_IDS);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${t} — smets-twin rehearsal</title>
<style>
  :root { --ink: #1d2733; --muted: #5b6876; --line: #d5dbe1; --bg: #f6f8fa; --accent: #0b6bcb; --bad: #b42318; --ok: #137333; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
  header { padding: 12px 20px; background: #fff; border-bottom: 1px solid var(--line); display: flex; flex-wrap: wrap; gap: 8px 28px; align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; }
  .clock { font: 600 22px/1.2 ui-monospace, SFMono-Regular, Menlo, monospace; }
  .muted { color: var(--muted); }
  main { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 14px; padding: 14px 20px; }
  section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; min-width: 0; }
  section h2 { font-size: 14px; margin: 0 0 8px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
  .big { font: 600 28px/1.1 ui-monospace, SFMono-Regular, Menlo, monospace; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid var(--line); vertical-align: top; }
  td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
  code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
  .feed { max-height: 320px; overflow: auto; }
  .bad { color: var(--bad); } .ok { color: var(--ok); }
  form { display: flex; gap: 6px; margin-bottom: 8px; }
  input[type=search] { flex: 1; padding: 5px 8px; font: 13px ui-monospace, SFMono-Regular, Menlo, monospace; border: 1px solid var(--line); border-radius: 4px; }
  button { padding: 5px 12px; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 4px; cursor: pointer; }
  .examples button { background: #fff; color: var(--accent); padding: 1px 6px; margin: 2px; font: 12px ui-monospace, monospace; }
  .wide { grid-column: 1 / -1; }
</style>
</head>
<body>
<header>
  <h1>${t}</h1>
  <div><span class="muted">simulated (UTC)</span> <span class="clock" id="sim-time">…</span></div>
  <div><span class="muted">UK local</span> <span id="uk-time">…</span></div>
  <div><span class="muted">speed</span> <span id="speed">…</span>× <span class="muted">lag</span> <span id="lag">…</span></div>
  <div class="muted" id="scenario-line"></div>
  <div id="connection" class="muted">connecting…</div>
</header>
<main>
  <section>
    <h2>Consumers off supply</h2>
    <div><span class="big" id="consumers-off">…</span> <span class="muted">of <span id="premises">…</span> homes off now</span></div>
    <table><thead><tr><th>cause</th><th class="n">homes</th><th class="n">meters</th></tr></thead><tbody id="causes"></tbody></table>
    <p class="muted" id="modes"></p>
  </section>
  <section>
    <h2>Service requests</h2>
    <div><span class="big" id="responses-total">…</span> <span class="muted">responses given</span></div>
    <table><thead><tr><th>code</th><th>meaning</th><th class="n">count</th></tr></thead><tbody id="codes"></tbody></table>
  </section>
  <section>
    <h2>By User</h2>
    <table><thead><tr><th>User</th><th class="n">received</th><th class="n">ok</th><th class="n">error</th><th class="n">held</th><th class="n">in flight</th></tr></thead><tbody id="users"></tbody></table>
  </section>
  <section>
    <h2>Device lookup</h2>
    <form id="device-form"><input type="search" id="device-eui" placeholder="EUI-64, e.g. 00-DB-12-…" autocomplete="off"><button type="submit">Look up</button></form>
    <div class="examples muted" id="examples"></div>
    <table id="device-result"></table>
  </section>
  <section class="wide">
    <h2>Recent responses</h2>
    <div class="feed"><table><thead><tr><th>simulated time</th><th>User</th><th>code</th><th>RequestID</th></tr></thead><tbody id="recent-responses"></tbody></table></div>
  </section>
  <section class="wide">
    <h2>Recent alerts — <span id="alerts-total">…</span> in all</h2>
    <div class="feed"><table><thead><tr><th>simulated time</th><th>alert</th><th>device</th><th>received by</th></tr></thead><tbody id="recent-alerts"></tbody></table></div>
  </section>
  <section class="wide">
    <h2>Deliveries to Receive Response Service URLs</h2>
    <table><thead><tr><th>User</th><th>URL</th><th class="n">queued</th><th class="n">delivered</th><th class="n">failed attempts</th><th class="n">given up</th><th class="n">no URL</th></tr></thead><tbody id="deliveries"></tbody></table>
  </section>
</main>
<script>
"use strict";
(function () {
  var IDS = ${ids};
  function $(id) { return document.getElementById(id); }
  function text(id, v) { var e = $(id); if (e) e.textContent = String(v); }
  function cell(tr, v, cls) { var td = document.createElement('td'); td.textContent = v === null || v === undefined ? '' : String(v); if (cls) td.className = cls; tr.appendChild(td); return td; }
  function rows(id, list, fill) {
    var body = $(id); if (!body) return;
    var frag = document.createDocumentFragment();
    list.forEach(function (x) { var tr = document.createElement('tr'); fill(tr, x); frag.appendChild(tr); });
    body.replaceChildren(frag);
  }
  function minutes(ms) { if (ms <= 0) return 'none'; if (ms < 60000) return Math.round(ms / 1000) + ' s'; return Math.round(ms / 60000) + ' min'; }
  function render(s) {
    text(IDS.simTime, s.time.virtual);
    text(IDS.ukTime, s.time.ukLocal);
    text(IDS.speed, s.time.speed);
    text(IDS.lag, minutes(s.time.lagMs));
    text('scenario-line', s.scenario.name + ' · policy ' + s.scenario.policy + (s.time.scenarioEnded ? ' · timeline ended ' : ' · timeline ends ') + s.scenario.end);
    text(IDS.consumersOff, s.offSupply.consumersOff);
    text('premises', s.estate.premises);
    rows('causes', s.offSupply.causes, function (tr, c) { cell(tr, c.words); cell(tr, s.offSupply.consumers[c.cause], 'n'); cell(tr, s.offSupply.meters[c.cause], 'n'); });
    text('modes', Object.keys(s.estate.paymentModes).map(function (m) { return s.estate.paymentModes[m] + ' meters in ' + m + ' mode'; }).join(' · '));
    var codes = Object.keys(s.requests.responsesByCode);
    text(IDS.responsesTotal, codes.reduce(function (n, c) { return n + s.requests.responsesByCode[c]; }, 0));
    rows('codes', codes, function (tr, c) { cell(tr, c); cell(tr, s.requests.codeWords[c] || ''); cell(tr, s.requests.responsesByCode[c], 'n'); });
    rows('users', s.requests.byUser, function (tr, u) { cell(tr, u.name); cell(tr, u.received, 'n'); cell(tr, u.success, 'n'); cell(tr, u.error, 'n'); cell(tr, u.quarantined, 'n'); cell(tr, u.inFlight, 'n'); });
    rows('recent-responses', s.requests.recent, function (tr, r) { cell(tr, r.at); cell(tr, r.userName); cell(tr, r.code + ' ' + r.words, r.code.charAt(0) === 'E' || r.code.charAt(0) === 'X' ? 'bad' : 'ok'); cell(tr, r.requestId).className = 'muted'; });
    text(IDS.alertsTotal, s.alerts.total);
    rows('recent-alerts', s.alerts.recent, function (tr, a) { cell(tr, a.at); cell(tr, a.code + ' ' + a.words); cell(tr, a.device || ''); cell(tr, a.toName); });
    rows('deliveries', s.deliveries, function (tr, d) { cell(tr, d.name); cell(tr, d.url || '(none)'); cell(tr, d.counts.queued, 'n'); cell(tr, d.counts.delivered, 'n'); cell(tr, d.counts.failedAttempts, 'n'); cell(tr, d.counts.gaveUp, 'n'); cell(tr, d.counts.withoutUrl, 'n'); });
    var ex = $('examples');
    if (ex && ex.childElementCount === 0 && s.exampleDevices.length > 0) {
      ex.appendChild(document.createTextNode('try: '));
      s.exampleDevices.forEach(function (eui) { var b = document.createElement('button'); b.type = 'button'; b.textContent = eui; b.onclick = function () { $(IDS.deviceInput).value = eui; lookup(eui); }; ex.appendChild(b); });
    }
  }
  function showDevice(obj) {
    var table = $(IDS.deviceResult);
    var frag = document.createDocumentFragment();
    function add(k, v) { var tr = document.createElement('tr'); var th = document.createElement('th'); th.textContent = k; tr.appendChild(th); cell(tr, v); frag.appendChild(tr); }
    if (obj.error) { add('error', obj.error.code + ': ' + obj.error.path + ' — expected ' + obj.error.expected + ', got ' + obj.error.got); }
    else if (obj.kind === 'commsHub') { add('comms hub', obj.id); add('WAN', obj.online ? 'up' : 'down'); add('premises', obj.premises); add('meters', obj.meters.join(', ')); }
    else {
      add('device', obj.id + ' (' + obj.type + ', ' + obj.generation + ')'); add('premises', obj.premises); add('MPxN', obj.mpxn);
      add('payment mode', obj.paymentMode); add('supply', obj.supply + (obj.offCause ? ' (' + obj.offCause + ')' : ''));
      add('balance', obj.balance.gbp + ' at ' + obj.balance.at); add('emergency credit in use', obj.emergencyCreditInUse ? 'yes' : 'no');
      add('comms hub', obj.hub + (obj.hubOnline ? '' : ' (WAN down)')); add('supplier', (obj.supplier.name || '') + (obj.supplier.mpid ? ' · MPID ' + obj.supplier.mpid : ''));
      add('trust anchor', obj.trustAnchor || '');
    }
    table.replaceChildren(frag);
  }
  function lookup(eui) {
    fetch('/api/devices/' + encodeURIComponent(eui.trim())).then(function (r) { return r.json(); }).then(showDevice, function (e) { showDevice({ error: { code: 'network', path: '', expected: 'an answer', got: String(e) } }); });
  }
  $(IDS.deviceForm).addEventListener('submit', function (e) { e.preventDefault(); lookup($(IDS.deviceInput).value); });
  function connect() {
    var es = new EventSource('/api/events');
    es.addEventListener('status', function (e) { text(IDS.connection, 'live'); render(JSON.parse(e.data)); });
    es.onerror = function () { text(IDS.connection, 'reconnecting…'); };
  }
  if (window.EventSource) connect();
  else setInterval(function () { fetch('/api/status').then(function (r) { return r.json(); }).then(render); }, 1000);
})();
</script>
</body>
</html>
`;
}
