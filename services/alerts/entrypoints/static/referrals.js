// Joined-up referrals: disagree with a decision in two clicks (Disagree, then Raise disagreement).
// Rows are rendered (and escaped) by the server; this script only places them.
"use strict";

(function () {
  const rows = document.getElementById("referrals");
  const failure = document.getElementById("referral-error");
  if (!rows) { return; }

  function showError(text) {
    failure.textContent = text;
    failure.hidden = !text;
  }

  function panel(referralId) {
    return document.getElementById("confirm-" + referralId);
  }

  function toggle(button, open) {
    const confirm = panel(button.dataset.referralId);
    const opener = rows.querySelector('button[data-action="disagree"][data-referral-id="' +
      CSS.escape(button.dataset.referralId) + '"]');
    confirm.hidden = !open;
    opener.setAttribute("aria-expanded", open ? "true" : "false");
    (open ? confirm.querySelector('button[data-action="disagree-confirm"]') : opener).focus();
  }

  async function raise(referralId) {
    showError("");
    const response = await fetch("/api/referrals/" + encodeURIComponent(referralId) + "/disagreement", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-Joinedup-Request": "1" },
      body: "{}",
    });
    const answer = await response.json().catch(function () { return {}; });
    if (!response.ok) {
      showError(answer.error || "The disagreement was not raised (" + response.status + ")");
      return;
    }
    const template = document.createElement("template");
    template.innerHTML = answer.row;
    const row = rows.querySelector('tr[data-referral-id="' + CSS.escape(referralId) + '"]');
    row.replaceWith(template.content.firstElementChild);
  }

  rows.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-action]");
    if (!button) { return; }
    if (button.dataset.action === "disagree") {
      toggle(button, true);
    } else if (button.dataset.action === "disagree-cancel") {
      toggle(button, false);
    } else if (button.dataset.action === "disagree-confirm") {
      button.disabled = true;
      raise(button.dataset.referralId).finally(function () { button.disabled = false; });
    }
  });
})();
