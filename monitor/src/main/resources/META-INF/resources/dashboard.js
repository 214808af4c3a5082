// The monitor's dashboard: polls /v1/versions, /v1/mix and /v1/alerts every 5 s and draws them.
// When every fetch has succeeded once, body[data-ready] is "true" and data-* attributes count
// what is drawn (the browser test reads them).
"use strict";

const CATEGORIES = ["HighlyKnown", "MaybeKnown", "WeaklyKnown", "Unknown"];
const COLORS = { HighlyKnown: "#2e7d32", MaybeKnown: "#7cb342", WeaklyKnown: "#f9a825", Unknown: "#c62828" };
let versionsChart;
let mixChart;

async function fetchJson(path) {
  const r = await fetch(path, { headers: { Accept: "application/json" } });
  if (!r.ok) {
    throw new Error(path + " answered " + r.status);
  }
  return r.json();
}

function pct(x) {
  return (100 * x).toFixed(1) + "%";
}

function drawVersions(versions) {
  const labels = versions.map(v => v.key);
  const data = {
    labels,
    datasets: [
      { label: "probe accuracy", data: versions.map(v => v.accuracy), borderColor: "#1565c0", backgroundColor: "#1565c0", tension: 0.1 },
      { label: "forgetting rate", data: versions.map(v => v.forgettingRate), borderColor: "#c62828", backgroundColor: "#c62828", tension: 0.1 }
    ]
  };
  if (!versionsChart) {
    versionsChart = new Chart(document.getElementById("versionsChart"), {
      type: "line", data,
      options: { animation: false, scales: { y: { min: 0, max: 1, ticks: { callback: v => pct(v) } } },
        plugins: { tooltip: { callbacks: { label: c => c.dataset.label + ": " + pct(c.parsed.y) } } } }
    });
  } else {
    versionsChart.data = data;
    versionsChart.update();
  }
}

function drawMix(windows) {
  const labels = windows.map(w => new Date(w.windowStart).toLocaleTimeString());
  const datasets = CATEGORIES.map(c => ({
    type: "bar", label: c, data: windows.map(w => (w.counts && w.counts[c]) || 0), backgroundColor: COLORS[c], stack: "mix", yAxisID: "y"
  }));
  datasets.push({ type: "line", label: "Unknown share", data: windows.map(w => w.unknownShare), borderColor: "#000", backgroundColor: "#000", yAxisID: "share" });
  const data = { labels, datasets };
  if (!mixChart) {
    mixChart = new Chart(document.getElementById("mixChart"), {
      data,
      options: { animation: false,
        scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: "examples" } },
          share: { position: "right", min: 0, max: 1, grid: { drawOnChartArea: false }, ticks: { callback: v => pct(v) } } } }
    });
  } else {
    mixChart.data = data;
    mixChart.update();
  }
}

function cell(row, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) {
    td.className = cls;
  }
  row.appendChild(td);
}

function drawAlerts(alerts) {
  const active = document.querySelector("#activeAlerts tbody");
  const resolved = document.querySelector("#resolvedAlerts tbody");
  active.replaceChildren();
  resolved.replaceChildren();
  const model = a => a.model + (a.modelVersion ? "@" + a.modelVersion : "");
  for (const a of alerts.active) {
    const tr = document.createElement("tr");
    tr.className = "firing";
    cell(tr, a.kind); cell(tr, model(a)); cell(tr, a.metric);
    cell(tr, a.value.toFixed(3), "num"); cell(tr, a.baseline.toFixed(3), "num"); cell(tr, a.threshold.toFixed(3), "num");
    cell(tr, new Date(a.firedAt).toLocaleString()); cell(tr, a.message, "message");
    active.appendChild(tr);
  }
  for (const a of alerts.resolved) {
    const tr = document.createElement("tr");
    cell(tr, a.kind); cell(tr, model(a)); cell(tr, a.metric); cell(tr, a.value.toFixed(3), "num");
    cell(tr, new Date(a.firedAt).toLocaleString()); cell(tr, new Date(a.resolvedAt).toLocaleString()); cell(tr, a.message, "message");
    resolved.appendChild(tr);
  }
  for (const [body, n] of [[active, alerts.active.length], [resolved, alerts.resolved.length]]) {
    if (n === 0) {
      const tr = document.createElement("tr");
      const td = document.createElement("td");
      td.colSpan = 8; td.className = "empty"; td.textContent = "none";
      tr.appendChild(td); body.appendChild(tr);
    }
  }
}

function drawTransitions(versions) {
  const table = document.getElementById("transitions");
  table.replaceChildren();
  if (versions.length === 0) {
    return;
  }
  const newest = versions[versions.length - 1];
  document.getElementById("newestKey").textContent = newest.key + " (baseline v" + newest.baselineVersion + ")";
  const head = document.createElement("tr");
  for (const h of ["baseline ↓ / now →"].concat(CATEGORIES)) {
    const th = document.createElement("th");
    th.textContent = h;
    head.appendChild(th);
  }
  table.appendChild(head);
  for (const from of CATEGORIES) {
    const tr = document.createElement("tr");
    cell(tr, from);
    for (const to of CATEGORIES) {
      const n = (newest.transitions && newest.transitions[from] && newest.transitions[from][to]) || 0;
      cell(tr, String(n), "num");
    }
    table.appendChild(tr);
  }
}

async function refresh() {
  const banner = document.getElementById("error");
  try {
    const [versions, mix, alerts] = await Promise.all([fetchJson("/v1/versions"), fetchJson("/v1/mix"), fetchJson("/v1/alerts")]);
    drawVersions(versions);
    drawMix(mix);
    drawAlerts(alerts);
    drawTransitions(versions);
    banner.hidden = true;
    document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
    const d = document.body.dataset;
    d.versions = String(versions.length);
    d.windows = String(mix.length);
    d.activeAlerts = String(alerts.active.length);
    d.resolvedAlerts = String(alerts.resolved.length);
    d.ready = "true";
  } catch (e) {
    banner.textContent = "Could not refresh: " + e.message + " (retrying every 5 s)";
    banner.hidden = false;
  }
}

refresh();
setInterval(refresh, 5000);
