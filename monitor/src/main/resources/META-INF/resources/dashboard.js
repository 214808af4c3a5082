// knowgate monitor dashboard: polls v1/versions, v1/mix, v1/alerts and v1/settings every 5 s and draws them.
//
// For tests (and anyone scripting the page) the <body> carries what is drawn:
//   data-ready="true"       once all four endpoints have answered at least once and the charts are drawn
//   data-versions="N"       versions in the forgetting chart and the versions table
//   data-newest="KEY"       the newest version; data-newest-status its status (candidate, live, promoted,
//                           rejected, base); data-live="KEY" the live version; data-gate the gate's limit
//   data-partial="N"        versions whose evaluation is still partial (drawn hollow)
//   data-small-windows="N"  mix windows under the minimum (drawn pale, share not plotted); data-window-labels
//                           their labels, comma-separated
//   data-windows="N"        bars (time windows) in the category mix chart
//   data-active-alerts="N"  rows in the active alerts table; data-resolved-alerts likewise
//   data-charts="N"         Chart.js charts on the page
//   data-transitions="KEY"  the version whose transition matrix is shown
//   data-error="..."        the last failed fetch, while the error banner shows
// Paths are relative, so the page also works under a non-root quarkus.http.root-path.
"use strict";

(function () {
  const REFRESH_MS = 5000;
  const CATEGORIES = ["HighlyKnown", "MaybeKnown", "WeaklyKnown", "Unknown"];
  const CATEGORY_COLORS = {
    HighlyKnown: "#2f855a",
    MaybeKnown: "#68a4d9",
    WeaklyKnown: "#e0a526",
    Unknown: "#c53030",
  };
  const FORGETTING_COLOR = "#c53030";
  const SHARE_COLOR = "#1a202c";

  const GATE_COLOR = "#744210";
  const STATUS_LABELS = {
    base: "base", live: "live", promoted: "promoted", rejected: "rejected", candidate: "candidate",
  };

  const state = { versions: null, mix: null, alerts: null, settings: null };
  const charts = { accuracy: null, mix: null };

  // ---- formatting ---------------------------------------------------------------------------

  function percent(x, digits) {
    return (100 * x).toFixed(digits === undefined ? 1 : digits) + "%";
  }

  function number(x) {
    if (typeof x !== "number" || !isFinite(x)) {
      return "–";
    }
    if (Number.isInteger(x)) {
      return String(x);
    }
    const abs = Math.abs(x);
    return abs >= 100 ? x.toFixed(1) : abs >= 1 ? x.toFixed(3) : x.toFixed(4);
  }

  // Instants are shown in UTC, as the services log them: "2026-11-22 09:30:00Z".
  function instant(iso) {
    if (!iso) {
      return "–";
    }
    const d = new Date(iso);
    if (isNaN(d.getTime())) {
      return String(iso);
    }
    return d.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
  }

  // Minutes, or seconds too when a window does not start and end on whole minutes ("07:02:15–07:02:30").
  function clock(iso, seconds) {
    const d = new Date(iso);
    return isNaN(d.getTime()) ? String(iso) : d.toISOString().substring(11, seconds ? 19 : 16);
  }

  function windowLabel(w) {
    const seconds = [w.windowStart, w.windowEnd].some(t => new Date(t).getUTCSeconds() !== 0);
    return clock(w.windowStart, seconds) + "–" + clock(w.windowEnd, seconds);
  }

  function minExamples() {
    return state.settings && typeof state.settings.unknownShareMinExamples === "number"
      ? state.settings.unknownShareMinExamples : 1;
  }

  function gateLimit() {
    return state.settings && state.settings.gateEnabled ? state.settings.maxForgetting : null;
  }

  // What a version is now: live (serving), or its decision (promoted, rejected), base, candidate.
  function statusOf(v) {
    if (v.status === "base") {
      return v.live ? "live" : "base";
    }
    return v.live ? "live" : v.status;
  }

  function complete(v) {
    return v.probesTotal > 0 && v.probes >= v.probesTotal;
  }

  // "1.3% (4 of 291)": one forgetting figure everywhere, with what it counts.
  function forgetting(v) {
    return percent(v.forgettingRate) + " (" + v.forgotten + " of " + v.knownAtBaseline + ")";
  }

  // Of the round's facts that were not HighlyKnown, the share the version answers.
  function learned(v, field, categories) {
    const counts = v.round && v.round[field];
    if (!counts) {
      return null;
    }
    let answered = 0;
    let trained = 0;
    for (const c of categories) {
      if (counts[c]) {
        answered += counts[c].answered;
        trained += counts[c].trained;
      }
    }
    return trained === 0 ? null : { answered, trained, share: answered / trained };
  }

  function learnedText(l) {
    return l ? percent(l.share, 0) + " (" + l.answered + " of " + l.trained + ")" : "–";
  }

  function modelAt(a) {
    return a.modelVersion === null || a.modelVersion === undefined ? a.model : a.model + "@" + a.modelVersion;
  }

  function el(tag, text, className) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) {
      e.textContent = text;
    }
    if (className) {
      e.className = className;
    }
    return e;
  }

  // ---- fetching -----------------------------------------------------------------------------

  async function fetchJson(path) {
    let response;
    try {
      response = await fetch(path, { headers: { Accept: "application/json" }, cache: "no-store" });
    } catch (e) {
      throw new Error(path + ": " + e.message);
    }
    if (!response.ok) {
      throw new Error(path + " answered HTTP " + response.status);
    }
    return response.json();
  }

  // ---- charts -------------------------------------------------------------------------------

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 12;
  Chart.defaults.color = "#4a5568";
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.plugins.legend.labels.boxWidth = 12;

  function drawForgetting(versions) {
    const limit = gateLimit();
    const styles = versions.map(v => statusOf(v) === "rejected" ? "crossRot" : "circle");
    const filled = versions.map(v => complete(v) ? FORGETTING_COLOR : "#ffffff");
    const datasets = [
      {
        label: "forgetting rate",
        data: versions.map(v => v.probes > 0 ? v.forgettingRate : null),
        borderColor: FORGETTING_COLOR,
        backgroundColor: filled,
        pointStyle: styles,
        pointRadius: versions.map(v => statusOf(v) === "rejected" ? 7 : 5),
        pointBorderWidth: 2,
        tension: 0,
        spanGaps: true,
        clip: false,
      },
    ];
    if (limit !== null) {
      datasets.push({
        label: "gate: at most " + percent(limit),
        data: versions.map(() => limit),
        borderColor: GATE_COLOR,
        borderDash: [6, 4],
        borderWidth: 1.5,
        pointRadius: 0,
        fill: false,
      });
    }
    const top = Math.max(0.05, 1.25 * Math.max(limit || 0, ...versions.map(v => v.forgettingRate || 0)));
    const data = { labels: versions.map(v => v.key), datasets };
    if (charts.accuracy) {
      charts.accuracy.data = data;
      charts.accuracy.options.scales.y.max = Math.min(1, top);
      charts.accuracy.update();
      return;
    }
    charts.accuracy = new Chart(document.getElementById("versionsChart"), {
      type: "line",
      data,
      options: {
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { offset: true, title: { display: true, text: "model version" } },
          y: { min: 0, max: Math.min(1, top), ticks: { callback: v => percent(v, 0) },
            title: { display: true, text: "forgetting rate" } },
        },
        plugins: {
          legend: { position: "top" },
          tooltip: {
            callbacks: {
              label: c => c.dataset.label + ": " + percent(c.parsed.y),
              afterBody: items => {
                const v = state.versions && state.versions[items[0].dataIndex];
                return v ? [STATUS_LABELS[statusOf(v)] + (complete(v) ? "" : ", evaluation partial"),
                  "forgets " + forgetting(v) + " of the probes " + v.model + "@" + v.baselineVersion + " answers",
                  v.probes + " of " + v.probesTotal + " probes answered"] : [];
              },
            },
          },
        },
      },
    });
  }

  function drawVersionsTable(versions) {
    const body = document.querySelector("#versions-table tbody");
    body.replaceChildren();
    if (versions.length === 0) {
      const tr = el("tr", null, "empty-row");
      const td = el("td", "No version yet.", "empty");
      td.colSpan = 7;
      tr.appendChild(td);
      body.appendChild(tr);
      return;
    }
    for (const v of versions.slice().reverse()) {
      const status = statusOf(v);
      const tr = el("tr", null, "version status-" + status + (complete(v) ? "" : " partial"));
      tr.dataset.version = v.key;
      tr.appendChild(el("td", v.key, "nowrap"));
      const st = el("td");
      st.appendChild(el("span", STATUS_LABELS[status], "badge status-" + status));
      tr.appendChild(st);
      tr.appendChild(el("td", v.probes > 0 ? forgetting(v) : "–", "num"));
      tr.appendChild(el("td", v.probes + " of " + v.probesTotal, "num" + (complete(v) ? "" : " warn")));
      tr.appendChild(el("td", v.probes > 0 ? percent(v.accuracy) : "–", "num"));
      tr.appendChild(el("td", learnedText(learned(v, "learned", ["MaybeKnown", "WeaklyKnown", "Unknown"])), "num"));
      const by = el("td", v.decision ? v.decision.decidedBy : (status === "candidate" ? "awaiting evaluation" : "–"));
      if (v.decision) {
        by.title = v.decision.reason;
      }
      tr.appendChild(by);
      body.appendChild(tr);
    }
  }

  // The on-call question at a glance: is the newest version safe, and what changed?
  function drawVerdict(versions) {
    const panel = document.getElementById("panel-verdict");
    const line = document.getElementById("verdict-line");
    const facts = document.getElementById("verdict-facts");
    facts.replaceChildren();
    if (versions.length === 0) {
      panel.dataset.verdict = "none";
      line.textContent = "No version announced yet.";
      return null;
    }
    const newest = versions[versions.length - 1];
    const live = versions.find(v => v.live) || null;
    const status = statusOf(newest);
    const limit = gateLimit();
    let verdict;
    let text;
    if (status === "candidate") {
      verdict = "pending";
      text = newest.key + " is a candidate: its evaluation has " + newest.probes + " of " + newest.probesTotal
        + " probes. It serves nothing until the gate decides.";
    } else if (status === "rejected") {
      verdict = "rejected";
      text = newest.key + " was rejected and never served: " + (newest.decision ? newest.decision.reason : "")
        + ". " + (live ? live.key + " stays live." : "");
    } else if (limit === null && newest.probes > 0 && newest.forgettingRate > state.settings.forgettingMargin) {
      verdict = "unsafe";
      text = newest.key + " is live without a gate and forgets " + forgetting(newest) + ".";
    } else {
      verdict = complete(newest) ? "safe" : "pending";
      text = newest.key + " is " + STATUS_LABELS[status] + (newest.decision ? " (" + newest.decision.decidedBy + "): "
        + newest.decision.reason : "") + (complete(newest) ? "" : "; its evaluation is still partial");
    }
    panel.dataset.verdict = verdict;
    line.textContent = text;
    line.className = "verdict-line verdict-" + verdict;

    function fact(term, value) {
      facts.appendChild(el("dt", term));
      facts.appendChild(el("dd", value));
    }
    fact("live version", live ? live.key : "–");
    fact("newest forgets", newest.probes > 0 ? forgetting(newest) + (limit !== null ? "; gate " + percent(limit) : "; gate off") : "–");
    fact("probes answered", newest.probes + " of " + newest.probesTotal);
    const round = newest.round;
    if (round) {
      const mix = Object.entries(round.examplesByCategory || {}).map(([c, n]) => c + " " + n).join(", ");
      fact("what changed", "trained from " + newest.model + "@" + newest.parent + " on " + round.examples
        + " examples (" + mix + "), " + round.epochs + " epochs");
      fact("learned, this round", learnedText(learned(newest, "learned", ["MaybeKnown", "WeaklyKnown", "Unknown"]))
        + " of its facts that were not HighlyKnown");
      fact("learned, its lineage", learnedText(learned(newest, "lineageLearned", ["MaybeKnown", "WeaklyKnown"]))
        + " of the MaybeKnown and WeaklyKnown facts trained on");
    }
    return { newest: newest.key, status, live: live ? live.key : "" };
  }

  function drawMix(mix) {
    const min = minExamples();
    const bars = CATEGORIES.map(category => ({
      type: "bar",
      label: category,
      data: mix.map(w => (w.counts && w.counts[category]) || 0),
      // A window under the minimum is counted but not tested: drawn pale.
      backgroundColor: mix.map(w => w.total >= min ? CATEGORY_COLORS[category] : CATEGORY_COLORS[category] + "40"),
      stack: "mix",
      yAxisID: "y",
      order: 2,
    }));
    const share = {
      type: "line",
      label: "Unknown share (windows of " + min + "+ examples)",
      data: mix.map(w => w.total >= min ? w.unknownShare : null),
      borderColor: SHARE_COLOR,
      backgroundColor: SHARE_COLOR,
      borderWidth: 2,
      pointRadius: 3,
      clip: false,
      yAxisID: "share",
      order: 1,
    };
    const data = { labels: mix.map(windowLabel), datasets: bars.concat([share]) };
    if (charts.mix) {
      charts.mix.data = data;
      charts.mix.update();
      return;
    }
    charts.mix = new Chart(document.getElementById("mixChart"), {
      type: "bar",
      data,
      options: {
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { stacked: true, title: { display: true, text: "window (UTC)" } },
          y: { stacked: true, beginAtZero: true, title: { display: true, text: "examples" } },
          share: {
            position: "right",
            min: 0,
            max: 1,
            grid: { drawOnChartArea: false },
            ticks: { callback: v => percent(v, 0) },
            title: { display: true, text: "Unknown share" },
          },
        },
        plugins: {
          legend: { position: "top", labels: { sort: (a, b) => a.datasetIndex - b.datasetIndex } },
          tooltip: {
            callbacks: {
              label: c => c.dataset.yAxisID === "share"
                ? c.dataset.label + ": " + percent(c.parsed.y)
                : c.dataset.label + ": " + c.parsed.y,
              footer: items => {
                const w = state.mix && state.mix[items[0].dataIndex];
                return w ? w.model + ", " + w.total + " examples" + (w.total < minExamples()
                  ? " (under " + minExamples() + ": not tested)" : "") : "";
              },
            },
          },
        },
      },
    });
  }

  // ---- tables -------------------------------------------------------------------------------

  // Two rows per alert: the numbers, then its message across the whole table.
  function alertRows(a, resolved, columns) {
    const tr = el("tr", null, resolved ? "resolved" : "firing");
    tr.dataset.alertId = a.id;
    const kind = el("td");
    kind.appendChild(el("span", a.kind, "badge kind-" + a.kind));
    tr.appendChild(kind);
    tr.appendChild(el("td", modelAt(a), "nowrap"));
    tr.appendChild(el("td", a.metric, "nowrap"));
    tr.appendChild(el("td", number(a.value), "num"));
    tr.appendChild(el("td", a.statistic === undefined || a.statistic === null ? "–" : number(a.statistic), "num"));
    tr.appendChild(el("td", number(a.baseline), "num"));
    tr.appendChild(el("td", number(a.threshold), "num"));
    tr.appendChild(el("td", instant(a.firedAt), "time"));
    if (resolved) {
      tr.appendChild(el("td", instant(a.resolvedAt), "time"));
    }
    const messageRow = el("tr", null, resolved ? "message-row resolved-message" : "message-row firing-message");
    const message = el("td", a.message, "message");
    message.colSpan = columns;
    if (Array.isArray(a.evidence) && a.evidence.length > 0) {
      message.title = "evidence: " + a.evidence.map(p => p.label + " = " + number(p.value)).join(", ");
    }
    messageRow.appendChild(message);
    return [tr, messageRow];
  }

  function fillAlerts(tableId, alerts, resolved, emptyText) {
    const body = document.querySelector("#" + tableId + " tbody");
    const columns = document.querySelectorAll("#" + tableId + " thead th").length;
    body.replaceChildren();
    if (alerts.length === 0) {
      const tr = el("tr", null, "empty-row");
      const td = el("td", emptyText, "empty");
      td.colSpan = columns;
      tr.appendChild(td);
      body.appendChild(tr);
      return;
    }
    for (const a of alerts) {
      for (const row of alertRows(a, resolved, columns)) {
        body.appendChild(row);
      }
    }
  }

  function drawAlerts(alerts) {
    const active = Array.isArray(alerts.active) ? alerts.active : [];
    // Newest resolution first: that is what an operator looks for.
    const resolved = (Array.isArray(alerts.resolved) ? alerts.resolved.slice() : [])
      .sort((a, b) => String(b.resolvedAt).localeCompare(String(a.resolvedAt)));
    fillAlerts("active-alerts", active, false, "No active alerts.");
    fillAlerts("resolved-alerts", resolved, true, "Nothing resolved yet.");
    const activeCount = document.getElementById("active-count");
    activeCount.textContent = String(active.length);
    activeCount.classList.toggle("hot", active.length > 0);
    document.getElementById("resolved-count").textContent = String(resolved.length);
    return { active: active.length, resolved: resolved.length };
  }

  function drawTransitions(versions) {
    const table = document.getElementById("transitions");
    const head = table.tHead;
    const body = table.tBodies[0];
    head.replaceChildren();
    body.replaceChildren();
    const caption = document.getElementById("transitions-caption");
    if (versions.length === 0) {
      caption.textContent = "No version has probe results yet.";
      return null;
    }
    const evaluated = versions.filter(v => v.probes > 0);
    if (evaluated.length === 0) {
      caption.textContent = "No version has probe results yet.";
      return null;
    }
    const newest = evaluated.filter(complete).pop() || evaluated[evaluated.length - 1];
    const transitions = newest.transitions || {};
    caption.textContent = newest.key + " against its baseline " + newest.model + "@" + newest.baselineVersion
      + " · " + newest.probes + " of " + newest.probesTotal + " probes · forgets " + forgetting(newest);

    // The four categories in order, then any the service adds later.
    const rows = CATEGORIES.concat(Object.keys(transitions).filter(k => !CATEGORIES.includes(k)));
    const columnSet = new Set(CATEGORIES);
    for (const from of Object.keys(transitions)) {
      for (const to of Object.keys(transitions[from] || {})) {
        columnSet.add(to);
      }
    }
    const columns = Array.from(columnSet);

    const headRow = el("tr");
    const corner = el("th", null, "corner");
    corner.appendChild(el("span", "now →", "corner-now"));
    corner.appendChild(el("span", "baseline ↓", "corner-baseline"));
    headRow.appendChild(corner);
    for (const to of columns) {
      // A break opportunity inside the camel-case names lets a narrow panel wrap them.
      const th = el("th", to.replace(/([a-z])([A-Z])/g, "$1\u200b$2"), "num");
      th.style.borderBottomColor = CATEGORY_COLORS[to] || "#cbd5e0";
      headRow.appendChild(th);
    }
    headRow.appendChild(el("th", "total", "num total"));
    head.appendChild(headRow);

    rows.forEach((from, i) => {
      const counts = transitions[from] || {};
      const total = columns.reduce((sum, to) => sum + (counts[to] || 0), 0);
      const tr = el("tr");
      const th = el("th", from, "row-head");
      th.style.borderLeftColor = CATEGORY_COLORS[from] || "#cbd5e0";
      tr.appendChild(th);
      columns.forEach((to, j) => {
        const n = counts[to] || 0;
        const td = el("td", String(n), "num cell");
        const share = total > 0 ? n / total : 0;
        // Diagonal: kept (blue); right of it: knowledge lost (red); left: gained (green).
        const rgb = i === j ? "43, 108, 176" : j > i ? "197, 48, 48" : "47, 133, 90";
        if (n > 0) {
          td.style.backgroundColor = "rgba(" + rgb + ", " + (0.1 + 0.75 * share).toFixed(3) + ")";
        } else {
          td.classList.add("zero");
        }
        if (share > 0.6) {
          td.classList.add("strong");
        }
        td.title = from + " → " + to + ": " + n + (total > 0 ? " (" + percent(share) + " of row)" : "");
        tr.appendChild(td);
      });
      tr.appendChild(el("td", String(total), "num total"));
      body.appendChild(tr);
    });
    return newest.key;
  }

  // ---- refresh loop -------------------------------------------------------------------------

  function showError(message) {
    const banner = document.getElementById("error-banner");
    banner.textContent = "Could not refresh: " + message + ". Showing the last data; retrying every "
      + REFRESH_MS / 1000 + " s.";
    banner.hidden = false;
    document.body.dataset.error = message;
  }

  function clearError() {
    const banner = document.getElementById("error-banner");
    banner.hidden = true;
    banner.textContent = "";
    delete document.body.dataset.error;
  }

  async function refresh() {
    const results = await Promise.allSettled([
      fetchJson("v1/versions"),
      fetchJson("v1/mix"),
      fetchJson("v1/alerts"),
      fetchJson("v1/settings"),
    ]);
    const errors = [];
    ["versions", "mix", "alerts", "settings"].forEach((name, i) => {
      if (results[i].status === "fulfilled") {
        state[name] = results[i].value;
      } else {
        errors.push(results[i].reason.message);
      }
    });

    const d = document.body.dataset;
    if (Array.isArray(state.versions) && state.settings) {
      drawForgetting(state.versions);
      drawVersionsTable(state.versions);
      const verdict = drawVerdict(state.versions);
      d.newest = verdict ? verdict.newest : "";
      d.newestStatus = verdict ? verdict.status : "";
      d.live = verdict ? verdict.live : "";
      d.gate = gateLimit() === null ? "off" : String(gateLimit());
      d.partial = String(state.versions.filter(v => !complete(v)).length);
      d.transitions = drawTransitions(state.versions) || "";
      d.versions = String(state.versions.length);
      document.getElementById("accuracy-empty").hidden = state.versions.length > 0;
    }
    if (Array.isArray(state.mix) && state.settings) {
      drawMix(state.mix);
      d.smallWindows = String(state.mix.filter(w => w.total < minExamples()).length);
      d.windowLabels = state.mix.map(windowLabel).join(",");
      d.windows = String(state.mix.length);
      document.getElementById("mix-empty").hidden = state.mix.length > 0;
    }
    if (state.alerts) {
      const counts = drawAlerts(state.alerts);
      d.activeAlerts = String(counts.active);
      d.resolvedAlerts = String(counts.resolved);
    } else {
      fillAlerts("active-alerts", [], false, "Alerts not loaded yet.");
      fillAlerts("resolved-alerts", [], true, "Alerts not loaded yet.");
    }
    d.charts = String((charts.accuracy ? 1 : 0) + (charts.mix ? 1 : 0));

    if (errors.length > 0) {
      showError(errors.join("; "));
      if (d.ready !== "true") {
        document.getElementById("updated").textContent = "Not all data loaded yet";
      }
    } else {
      clearError();
      document.getElementById("updated").textContent = "Updated " + instant(new Date().toISOString())
        + " · refreshes every " + REFRESH_MS / 1000 + " s";
    }
    if (state.versions && state.mix && state.alerts && state.settings && charts.accuracy && charts.mix) {
      d.ready = "true";
    }
  }

  async function loop() {
    try {
      await refresh();
    } catch (e) {
      showError(e.message);
    }
    setTimeout(loop, REFRESH_MS);
  }

  loop();
})();
