/**
 * The live status page served at `/` on the metrics port: one self-contained HTML document (no
 * CDN, no build step) kept in this module so `deno compile` carries it. Its script polls
 * /stats.json once a second and draws the plots as inline SVG by hand. Client data (slow log
 * arguments, client names) is only ever set as text, never as markup.
 */

const STYLE = `
:root { --bg: #0f1419; --panel: #182028; --line: #2a3642; --text: #d8dee4; --dim: #8899a6;
  --accent: #4fb3ff; --good: #3fb950; --bad: #f85149; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; background: var(--bg); color: var(--text); }
header { display: flex; align-items: baseline; gap: 16px; padding: 14px 20px;
  border-bottom: 1px solid var(--line); flex-wrap: wrap; }
header h1 { margin: 0; font-size: 20px; }
.dim { color: var(--dim); }
.badge { padding: 2px 10px; border-radius: 10px; font-weight: 600; background: var(--line); }
.badge.ok { background: var(--good); color: #04120a; }
.badge.bad { background: var(--bad); color: #1a0202; }
main { padding: 16px 20px; display: grid; gap: 16px;
  grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px; }
.card h2 { margin: 0; font-size: 12px; text-transform: uppercase; letter-spacing: .06em;
  color: var(--dim); font-weight: 600; }
.value { font-size: 26px; font-weight: 600; font-variant-numeric: tabular-nums; margin: 2px 0 6px; }
.wide { grid-column: 1 / -1; }
svg { width: 100%; height: 80px; display: block; }
svg .axis { stroke: var(--line); stroke-width: 1; }
svg text { fill: var(--dim); font-size: 9px; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 8px 4px 0; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { color: var(--dim); font-weight: 600; font-size: 12px; }
td.args { font-family: ui-monospace, monospace; word-break: break-all; }
dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 12px; margin: 6px 0 0; }
dt { color: var(--dim); }
dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; min-width: 0; }
.card { min-width: 0; }
.legend span { margin-right: 10px; font-size: 12px; }
footer { padding: 8px 20px 20px; color: var(--dim); font-size: 12px; }
a { color: var(--accent); }
`;

const SCRIPT = `
"use strict";
const WINDOW_MS = 5 * 60 * 1000;
const COLORS = ["#4fb3ff", "#3fb950", "#d29922", "#f778ba", "#a371f7", "#56d4dd", "#f85149"];
let samples = [];
let lastT = 0;
const $ = (id) => document.getElementById(id);

function fmtInt(n) { return Math.round(n).toLocaleString("en-US"); }
function fmtBytes(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? String(n) : n.toFixed(2)) + " " + units[i];
}
function fmtDuration(s) {
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
  return (d ? d + "d " : "") + (d || h ? h + "h " : "") + m + "m " + (s % 60) + "s";
}
function setText(id, text) { const el = $(id); if (el.textContent !== text) el.textContent = text; }

/** Draws series [{name, points: [[t, v|null]]}] into the svg with id. */
function plot(id, series, format) {
  const svg = $(id);
  // Drawn in the element's own pixels, so text keeps its size whatever the card's width.
  const W = Math.max(100, Math.round(svg.getBoundingClientRect().width) || 300);
  const H = 80, top = 12, bottom = 68;
  const now = samples.length ? samples[samples.length - 1].t : Date.now();
  let max = 0;
  for (const s of series) for (const [, v] of s.points) if (v !== null && v > max) max = v;
  if (max === 0) max = 1;
  const x = (t) => ((t - (now - WINDOW_MS)) / WINDOW_MS) * W;
  const y = (v) => bottom - (v / max) * (bottom - top);
  let body = '<line class="axis" x1="0" y1="' + bottom + '" x2="' + W + '" y2="' + bottom + '"/>';
  series.forEach((s, i) => {
    // Seconds without a value (no lookups, no fsync) are skipped: the line joins its neighbours.
    let d = "", pen = "M";
    for (const [t, v] of s.points) {
      if (v === null) continue;
      d += pen + x(t).toFixed(1) + " " + y(v).toFixed(1) + " ";
      pen = "L";
    }
    if (d) body += '<path d="' + d + '" fill="none" stroke="' + COLORS[i % COLORS.length] +
      '" stroke-width="1.5"/>';
  });
  body += '<text x="2" y="9">max ' + format(max) + '</text>' +
    '<text x="2" y="' + (H - 1) + '">-5 min</text>' +
    '<text x="' + (W - 2) + '" y="' + (H - 1) + '" text-anchor="end">now</text>';
  svg.setAttribute("viewBox", "0 0 " + W + " " + H);
  svg.innerHTML = body;
}

function points(key) { return samples.map((s) => [s.t, s[key]]); }

function render(stats) {
  const health = $("health");
  if (stats.loading) {
    health.textContent = "loading";
    health.className = "badge bad";
    return;
  }
  health.textContent = stats.health.ok ? "healthy" : stats.health.detail;
  health.className = "badge " + (stats.health.ok ? "ok" : "bad");
  const server = stats.server, totals = stats.totals, repl = stats.replication;
  setText("version", "Hermes " + server.hermes_version + " (Redis " + server.redis_version +
    " protocol) · pid " + server.process_id + " · port " + server.tcp_port);
  setText("role", String(repl.role ?? "master"));
  setText("uptime", fmtDuration(Number(server.uptime_in_seconds)));
  setText("fsync-policy", server.aof_enabled ? "fsync " + server.aof_fsync_policy : "no log");
  const last = samples[samples.length - 1];
  setText("ops", fmtInt(last ? last.opsPerSec : Number(totals.instantaneous_ops_per_sec)));
  setText("commands", fmtInt(Number(totals.total_commands_processed)));
  setText("clients", fmtInt(Number(totals.connected_clients)));
  setText("blocked", fmtInt(Number(totals.blocked_clients)));
  setText("memory", fmtBytes(Number(totals.used_memory)));
  setText("rss", fmtBytes(Number(totals.used_memory_rss)));
  const keys = stats.databases.reduce((a, db) => a + db.keys, 0);
  setText("keys", fmtInt(keys));
  const hits = Number(totals.keyspace_hits), misses = Number(totals.keyspace_misses);
  setText("hit-ratio", last && last.hitRatio !== null ? (last.hitRatio * 100).toFixed(1) + " %"
    : hits + misses > 0 ? (hits / (hits + misses) * 100).toFixed(1) + " %" : "-");
  // The latest second that had an fsync, and a group commit (a quiet second has neither).
  const synced = samples.filter((s) => s.fsyncMs !== null).pop();
  const committed = samples.filter((s) => s.batchSize !== null).pop();
  setText("fsync", synced ? synced.fsyncMs.toFixed(3) + " ms" : "-");
  setText("batch", committed ? committed.batchSize.toFixed(1) : "-");

  plot("chart-ops", [{ points: points("opsPerSec") }], fmtInt);
  plot("chart-clients", [{ points: points("clients") }], fmtInt);
  plot("chart-memory", [{ points: points("usedMemory") }, { points: points("rss") }], fmtBytes);
  const names = [...new Set(samples.flatMap((s) => Object.keys(s.keys)))].sort();
  plot("chart-keys", names.map((name) => ({ points: samples.map((s) => [s.t, s.keys[name] ?? 0]) })),
    fmtInt);
  const legend = $("keys-legend");
  legend.textContent = "";
  names.forEach((name, i) => {
    const span = document.createElement("span");
    span.style.color = COLORS[i % COLORS.length];
    span.textContent = name;
    legend.append(span);
  });
  plot("chart-hits", [{ points: samples.map((s) => [s.t, s.hitRatio === null ? null :
    s.hitRatio * 100]) }], (v) => v.toFixed(0) + " %");
  plot("chart-fsync", [{ points: points("fsyncMs") }], (v) => v.toFixed(2) + " ms");
  plot("chart-batch", [{ points: points("batchSize") }], (v) => v.toFixed(1));

  const dbTable = $("databases");
  dbTable.replaceChildren(row("th", ["database", "keys", "with TTL"]),
    ...stats.databases.map((db) => row("td", [db.name, fmtInt(db.keys), fmtInt(db.expires)])));
  const replication = $("replication");
  replication.replaceChildren(...Object.entries(repl).flatMap(([k, v]) => {
    const dt = document.createElement("dt"), dd = document.createElement("dd");
    dt.textContent = k; dd.textContent = String(v);
    return [dt, dd];
  }));
  const slow = $("slowlog");
  slow.replaceChildren(row("th", ["id", "time", "µs", "command", "client"]),
    ...stats.slowlog.map((e) => {
      const tr = row("td", [String(e.id), new Date(e.time * 1000).toLocaleTimeString("en-GB"),
        fmtInt(e.durationUs), e.args.join(" "), e.client + (e.name ? " (" + e.name + ")" : "")]);
      tr.children[3].className = "args";
      return tr;
    }));
  if (stats.slowlog.length === 0) slow.append(row("td", ["empty", "", "", "", ""]));
  setText("updated", new Date(stats.now).toLocaleTimeString("en-GB"));
}

function row(cell, texts) {
  const tr = document.createElement("tr");
  for (const text of texts) {
    const el = document.createElement(cell);
    el.textContent = text;
    tr.append(el);
  }
  return tr;
}

async function poll() {
  try {
    const response = await fetch("/stats.json" + (lastT ? "?since=" + lastT : ""));
    const stats = await response.json();
    samples = samples.concat(stats.history);
    if (samples.length) lastT = samples[samples.length - 1].t;
    samples = samples.filter((s) => s.t > lastT - WINDOW_MS);
    render(stats);
  } catch (error) {
    $("health").textContent = "unreachable";
    $("health").className = "badge bad";
  }
}
poll();
setInterval(poll, 1000);
`;

/** One metric card: its current value and its plot. */
function card(title: string, valueId: string, chartId: string, extra = ""): string {
  return `<section class="card"><h2>${title}</h2><div class="value" id="${valueId}">-</div>` +
    `${extra}<svg id="${chartId}" role="img" aria-label="${title}"></svg></section>`;
}

export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hermes status</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Hermes</h1><span id="health" class="badge">connecting</span>
<span class="dim" id="version"></span>
<span>role <b id="role">-</b></span><span>up <b id="uptime">-</b></span>
<span class="dim" id="fsync-policy"></span>
</header>
<main>
${
  card(
    "operations per second",
    "ops",
    "chart-ops",
    '<div class="dim">total <span id="commands">-</span></div>',
  )
}
${
  card(
    "connected clients",
    "clients",
    "chart-clients",
    '<div class="dim">blocked <span id="blocked">-</span></div>',
  )
}
${
  card(
    "memory used",
    "memory",
    "chart-memory",
    '<div class="dim">resident <span id="rss">-</span></div>',
  )
}
${card("keys", "keys", "chart-keys", '<div class="legend" id="keys-legend"></div>')}
${card("keyspace hit ratio", "hit-ratio", "chart-hits")}
${card("fsync latency (mean per second)", "fsync", "chart-fsync")}
${card("group commit batch (records)", "batch", "chart-batch")}
<section class="card"><h2>databases</h2><table id="databases"></table></section>
<section class="card"><h2>replication</h2><dl id="replication"></dl></section>
<section class="card wide"><h2>slow log (newest first)</h2><table id="slowlog"></table></section>
</main>
<footer>Updated <span id="updated">-</span> · polls <a href="/stats.json">/stats.json</a> every
second · <a href="/metrics">/metrics</a> · <a href="/healthz">/healthz</a></footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
