// Joined-up duty alerts: live list over Server-Sent Events, acknowledge, assign, evidence.
// Rows and panels are rendered (and escaped) by the server; this script only places them.
"use strict";

(function () {
  const rows = document.getElementById("alerts");
  const empty = document.getElementById("empty");
  const state = document.getElementById("feed-state");
  const announce = document.getElementById("announce");
  const failure = document.getElementById("action-error");
  const evidence = document.getElementById("evidence");

  function fragment(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    return template.content.firstElementChild;
  }

  function placeRow(alertId, html, isNew) {
    const row = fragment(html);
    const selector = 'tr[data-alert-id="' + CSS.escape(alertId) + '"]';
    const existing = rows.querySelector(selector);
    if (existing) {
      existing.replaceWith(row);
    } else {
      row.classList.add("fresh");
      rows.prepend(row);
      if (isNew) { announce.textContent = "New alert: " + (row.querySelector(".summary") || row).textContent; }
    }
    empty.hidden = rows.children.length > 0;
  }

  function setFeed(status, text) {
    document.body.dataset.feed = status;
    state.textContent = text;
  }

  function connect() {
    const feed = new EventSource("/feed");
    feed.addEventListener("ready", function () { setFeed("live", "Live: new alerts appear automatically"); });
    feed.addEventListener("alert", function (event) {
      const message = JSON.parse(event.data);
      placeRow(message.alert.alert_id, message.row, true);
    });
    feed.onerror = function () { setFeed("reconnecting", "Reconnecting to the live feed..."); };
  }

  function showError(text) {
    failure.textContent = text;
    failure.hidden = !text;
  }

  async function send(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-Joinedup-Request": "1" },
      body: JSON.stringify(body || {}),
    });
    const answer = await response.json().catch(function () { return {}; });
    if (!response.ok) { throw new Error(answer.error || "The action failed (" + response.status + ")"); }
    return answer;
  }

  async function act(url, body) {
    showError("");
    try {
      const answer = await send(url, body);
      placeRow(answer.alert.alert_id, answer.row, false);
    } catch (error) {
      showError(error.message);
    }
  }

  async function showEvidence(alertId) {
    const response = await fetch("/alerts/" + encodeURIComponent(alertId) + "/evidence",
      { credentials: "same-origin" });
    if (!response.ok) { showError("Evidence is not available (" + response.status + ")"); return; }
    evidence.innerHTML = await response.text();
    const title = document.getElementById("evidence-title");
    if (title) { title.focus(); }
  }

  rows.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-action]");
    if (!button) { return; }
    const alertId = button.dataset.alertId;
    if (button.dataset.action === "acknowledge") {
      act("/api/alerts/" + encodeURIComponent(alertId) + "/acknowledge");
    } else if (button.dataset.action === "evidence") {
      showEvidence(alertId);
    }
  });

  rows.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-action='assign']");
    if (!form) { return; }
    event.preventDefault();
    const assignee = form.querySelector("input[name='assignee']").value;
    act("/api/alerts/" + encodeURIComponent(form.dataset.alertId) + "/assign", { assignee: assignee });
  });

  connect();
})();
