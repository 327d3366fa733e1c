// WF console: the little the pages need beyond HTML. Live updates (server-
// sent events), confirmations, and jumping from the graph to the steps.
"use strict";

// Live: an element with data-live streams "changed" events; on each, the
// element named by data-target is replaced by the same element of
// data-refresh (the rows of the runs list, or the whole run page).
function startLive() {
  const el = document.querySelector("[data-live]");
  if (!el || !window.EventSource) return;
  const note = document.getElementById("live-note");
  const src = new EventSource(el.dataset.live);
  let busy = false, again = false;
  async function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    try {
      const res = await fetch(el.dataset.refresh, { credentials: "same-origin", headers: { "Accept": "text/html" } });
      if (res.redirected) { window.location.reload(); return; } // the session ended: to the login page
      if (!res.ok) return;
      const html = await res.text();
      if (el.dataset.target === "rows") {
        const body = document.getElementById("rows");
        const before = new Set([...body.querySelectorAll("tr.run")].map(tr => tr.dataset.id));
        body.innerHTML = html;
        body.querySelectorAll("tr.run").forEach(tr => { if (!before.has(tr.dataset.id)) tr.classList.add("fresh"); });
      } else {
        const doc = new DOMParser().parseFromString(html, "text/html");
        const fresh = doc.getElementById("main");
        const open = [...document.querySelectorAll("li.step > details[open]")].map(d => d.parentElement.id);
        if (fresh) document.getElementById("main").innerHTML = fresh.innerHTML;
        open.forEach(id => { const d = document.querySelector("#" + CSS.escape(id) + " > details"); if (d) d.open = true; });
        wire();
      }
    } finally {
      busy = false;
      if (again) { again = false; refresh(); }
    }
  }
  src.addEventListener("changed", refresh);
  src.addEventListener("open", () => { if (note) note.classList.add("on"); });
  src.addEventListener("error", () => { if (note) note.classList.remove("on"); });
}

// Forms with data-confirm ask first.
function wireConfirms() {
  document.querySelectorAll("form[data-confirm]").forEach(f => {
    if (f.dataset.wired) return;
    f.dataset.wired = "1";
    f.addEventListener("submit", e => { if (!window.confirm(f.dataset.confirm)) e.preventDefault(); });
  });
}

// A click on a step of the graph opens that step in the list below.
function wireGraph() {
  const map = document.getElementById("graph-steps");
  const graph = document.getElementById("graph");
  if (!map || !graph) return;
  let steps = {};
  try { steps = JSON.parse(map.textContent) || {}; } catch (e) { return; }
  graph.querySelectorAll("g.node").forEach(node => {
    const anchors = steps[node.id];
    if (!anchors || !anchors.length) return;
    node.addEventListener("click", () => {
      document.querySelectorAll(".picked").forEach(x => x.classList.remove("picked"));
      node.classList.add("picked");
      anchors.forEach((a, i) => {
        const li = document.getElementById(a);
        if (!li) return;
        li.classList.add("picked");
        const d = li.querySelector("details");
        if (d) d.open = true;
        if (i === 0) li.scrollIntoView({ behavior: "smooth", block: "center" });
      });
    });
  });
}

function wire() { wireConfirms(); wireGraph(); }

document.addEventListener("DOMContentLoaded", () => { wire(); startLive(); });
