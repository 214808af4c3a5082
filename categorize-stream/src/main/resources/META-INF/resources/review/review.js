// knowgate quarantine review: GET /v1/quarantine with the curator's key, and decisions by
// POST /v1/quarantine/{id}/decisions. The key stays in this tab (sessionStorage); a key in the URL
// fragment (#key=...) is taken and removed from the address at once.
(function () {
  "use strict";

  const KEY = "knowgate.review.key";
  const $ = (id) => document.getElementById(id);

  function takeKeyFromFragment() {
    const params = new URLSearchParams(window.location.hash.slice(1));
    const key = params.get("key");
    if (key) {
      sessionStorage.setItem(KEY, key);
      params.delete("key");
      const rest = params.toString();
      history.replaceState(null, "", window.location.pathname + window.location.search + (rest ? "#" + rest : ""));
    }
    // Filters may come in the fragment too (a link to one submission's queue).
    for (const [name, input] of [["submission", "f-submission"], ["relation", "f-relation"], ["model", "f-model"],
      ["olderThan", "f-older"], ["state", "f-state"]]) {
      if (params.get(name)) {
        $(input).value = params.get(name);
      }
    }
  }

  function key() {
    return sessionStorage.getItem(KEY);
  }

  function showError(text) {
    const banner = $("error-banner");
    banner.textContent = text;
    banner.hidden = !text;
  }

  function showResult(text) {
    const r = $("result");
    r.textContent = text;
    r.hidden = !text;
  }

  async function problemText(response) {
    try {
      const p = await response.json();
      return "HTTP " + response.status + ": " + (p.detail || p.title || "");
    } catch (e) {
      return "HTTP " + response.status;
    }
  }

  function age(iso) {
    const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    return s < 60 ? s + "s" : s < 3600 ? Math.floor(s / 60) + "m" : s < 86400 ? Math.floor(s / 3600) + "h" : Math.floor(s / 86400) + "d";
  }

  function cell(row, text, cls) {
    const td = document.createElement("td");
    td.textContent = text;
    if (cls) {
      td.className = cls;
    }
    row.appendChild(td);
    return td;
  }

  function modelSays(td, evidence) {
    if (!evidence) {
      td.textContent = "–";
      return;
    }
    td.textContent = evidence.modelAnswer == null ? "(no answer)" : evidence.modelAnswer;
    const hint = document.createElement("span");
    hint.className = "hint hint-" + evidence.hint;
    hint.textContent = evidence.hint + " " + evidence.confidence.toFixed(2);
    td.appendChild(hint);
  }

  function button(label, cls, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.className = cls;
    b.addEventListener("click", onClick);
    return b;
  }

  function render(page) {
    const rows = $("rows");
    rows.replaceChildren();
    for (const e of page.entries) {
      const x = e.example;
      const tr = document.createElement("tr");
      tr.dataset.exampleId = x.id;
      tr.dataset.state = e.state;
      cell(tr, x.id, "id");
      cell(tr, age(e.quarantinedAt));
      cell(tr, x.relation || "–");
      cell(tr, x.question);
      cell(tr, x.answer + (x.aliases && x.aliases.length ? " (" + x.aliases.join(", ") + ")" : ""));
      modelSays(cell(tr, ""), e.evidence);
      cell(tr, e.state + (e.decisions.length ? " · " + e.decisions[e.decisions.length - 1].action + " by "
        + e.decisions[e.decisions.length - 1].decidedBy : ""));
      const actions = cell(tr, "");
      if (e.state === "open") {
        const div = document.createElement("div");
        div.className = "actions";
        const answer = document.createElement("input");
        answer.placeholder = "corrected answer";
        answer.className = "amend-answer";
        const aliases = document.createElement("input");
        aliases.placeholder = "aliases, | separated";
        aliases.className = "amend-aliases";
        div.append(button("Release", "release", () => decide(x.id, {action: "release"})),
          button("Drop", "drop", () => decide(x.id, {action: "drop"})),
          answer, aliases,
          button("Amend", "amend", () => decide(x.id, {
            action: "amend",
            answer: answer.value.trim() || undefined,
            aliases: aliases.value.split("|").map((a) => a.trim()).filter((a) => a),
          })));
        actions.appendChild(div);
      }
      rows.appendChild(tr);
    }
    document.body.dataset.total = page.total;
    document.body.dataset.shown = page.entries.length;
    $("summary").textContent = page.entries.length + " of " + page.total + " " + $("f-state").value
      + " quarantined examples, oldest first";
  }

  async function list() {
    if (!key()) {
      document.body.dataset.state = "no-key";
      return;
    }
    const q = new URLSearchParams({state: $("f-state").value, limit: "200"});
    for (const [name, input] of [["submission", "f-submission"], ["relation", "f-relation"], ["model", "f-model"],
      ["olderThan", "f-older"]]) {
      if ($(input).value.trim()) {
        q.set(name, $(input).value.trim());
      }
    }
    document.body.dataset.state = "loading";
    try {
      const r = await fetch("/v1/quarantine?" + q, {headers: {"X-Api-Key": key(), "Accept": "application/json"}});
      if (!r.ok) {
        showError("Listing the quarantine failed: " + await problemText(r));
        document.body.dataset.state = "error";
        return;
      }
      showError("");
      render(await r.json());
      document.body.dataset.state = "listed";
    } catch (e) {
      showError("categorize-stream did not answer: " + e);
      document.body.dataset.state = "error";
    }
  }

  async function decide(exampleId, decision) {
    const reason = $("reason").value.trim();
    if (!reason) {
      showError("Give a reason for the decision first: it is recorded with it.");
      return;
    }
    const body = Object.assign({reason: reason, decisionId: "web-" + crypto.randomUUID()}, decision);
    document.body.dataset.state = "deciding";
    try {
      const r = await fetch("/v1/quarantine/" + encodeURIComponent(exampleId) + "/decisions", {
        method: "POST",
        headers: {"X-Api-Key": key(), "Content-Type": "application/json", "Accept": "application/json"},
        body: JSON.stringify(body),
      });
      if (!r.ok) {
        showError(decision.action + " of " + exampleId + " refused: " + await problemText(r));
        document.body.dataset.state = "refused";
        return;
      }
      const d = await r.json();
      showError("");
      showResult(d.action + " of " + exampleId + " recorded as " + d.decisionId
        + (d.amendedId ? "; resubmitted as " + d.amendedId : ""));
      document.body.dataset.lastDecision = d.decisionId;
      // The stream applies it within a moment; list again to show the new state.
      setTimeout(list, 1000);
    } catch (e) {
      showError("categorize-stream did not answer: " + e);
      document.body.dataset.state = "error";
    }
  }

  $("key-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    sessionStorage.setItem(KEY, $("api-key").value);
    $("api-key").value = "";
    list();
  });
  $("filter-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    list();
  });
  // A link with another key or filter, opened in this tab, changes only the fragment.
  window.addEventListener("hashchange", () => {
    takeKeyFromFragment();
    list();
  });
  takeKeyFromFragment();
  list();
})();
