// The consent officers' page: everything goes through the /v1 API with a bearer token.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  let reference = null;
  let editing = null;

  function el(tag, text, attrs) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    return node;
  }
  function say(text) { $("status").textContent = text; }
  function problem(text) {
    $("problem").textContent = text || "";
    $("problem").hidden = !text;
  }
  async function api(method, path, body) {
    const headers = { Authorization: "Bearer " + sessionStorage.getItem("consent-token") };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      let detail = response.statusText;
      try {
        const error = await response.json();
        detail = error.field ? `${error.field}: ${error.rule}` : error.error || detail;
      } catch (_) { /* not JSON */ }
      throw new Error(`${response.status} - ${detail}`);
    }
    return response;
  }
  const json = async (method, path, body) => (await api(method, path, body)).json();
  function options(select, pairs) {
    select.replaceChildren(...pairs.map(([value, label]) => el("option", label, { value })));
  }
  function selector(value) {
    const [how, id] = value.split(":");
    return how === "kind" ? { kind: id } : { agency: id };
  }
  const selectorText = (s) => s.agency || `every ${s.kind}` + (s.team ? ` (${s.team})` : "");
  const has = (role) => reference && reference.roles.includes(role);

  function fillForms() {
    const agencies = reference.agencies.map((a) => [`agency:${a.id}`, `${a.name} (${a.id})`]);
    const kinds = [...new Set(reference.agencies.map((a) => a.kind))]
      .map((k) => [`kind:${k}`, `Every ${k} agency`]);
    options($("a-provider"), [...agencies, ...kinds]);
    options($("a-recipient"), [...agencies, ...kinds]);
    const types = reference.event_types.map((t) => [t, t]);
    options($("a-event-types"), types);
    options($("d-event-type"), types);
    options($("d-provider"), reference.agencies.map((a) => [a.id, `${a.name} (${a.id})`]));
    options($("d-roll"), reference.agencies.filter((a) => a.kind === "school")
      .map((a) => [a.id, a.name]));
    options($("au-recipient"), [["", "(any)"], ...reference.agencies.map((a) => [a.id, a.name])]);
    options($("au-event-type"), [["", "(any)"], ...types]);
    options($("a-purpose"), Object.entries(reference.purposes).map(([c, l]) => [c, `${l} (${c})`]));
    options($("a-basis"), Object.entries(reference.legal_bases).map(([c, l]) => [c, `${l} (${c})`]));
    for (const [box, names, prefix] of [["a-classes", reference.data_classes, "dc"],
                                        ["a-conditions", reference.conditions, "cond"]]) {
      const legend = $(box).querySelector("legend");
      $(box).replaceChildren(legend, ...names.map((name) => {
        const label = el("label");
        const input = el("input", null, { type: "checkbox", value: name, id: `${prefix}-${name}` });
        label.append(input, " " + name);
        return label;
      }));
    }
  }

  async function signIn(event) {
    if (event) event.preventDefault();
    const typed = $("token").value.trim();
    if (typed) sessionStorage.setItem("consent-token", typed);
    problem("");
    try {
      reference = await json("GET", "/v1/reference");
    } catch (error) {
      sessionStorage.removeItem("consent-token");
      problem(`Sign-in failed: ${error.message}`);
      return;
    }
    $("token").value = "";
    $("who").textContent = `Signed in as ${reference.user} (${reference.roles.join(", ")})`;
    $("signin-section").hidden = true;
    $("signout").hidden = false;
    $("agreements-section").hidden = false;
    document.querySelectorAll(".officer").forEach((s) => { s.hidden = !has("consent-officer"); });
    document.querySelectorAll(".auditor").forEach((s) => { s.hidden = !has("auditor"); });
    document.querySelectorAll(".ig-lead").forEach((s) => { s.hidden = !has("ig-lead"); });
    document.querySelectorAll(".overseer").forEach((s) => { s.hidden = !has("auditor") && !has("ig-lead"); });
    fillForms();
    await listAgreements();
    document.dispatchEvent(new CustomEvent("consent:signed-in", { detail: reference }));
  }

  async function listAgreements() {
    const agreements = await json("GET", "/v1/agreements");
    const rows = agreements.map((a) => {
      const row = el("tr");
      row.dataset.agreement = a.id;
      for (const value of [a.id, a.title, a.status, a.version, selectorText(a.provider),
                           selectorText(a.recipient), a.legal_basis, a.purpose]) {
        row.append(el("td", value));
      }
      const actions = el("td");
      if (has("consent-officer") && a.status === "active") {
        const edit = el("button", "Edit", { type: "button", "aria-label": `Edit ${a.id}` });
        edit.addEventListener("click", () => startEdit(a));
        const retire = el("button", "Retire", { type: "button", class: "secondary",
                                                 "aria-label": `Retire ${a.id}` });
        retire.addEventListener("click", () => retireAgreement(a));
        actions.append(edit, retire);
      }
      row.append(actions);
      return row;
    });
    $("agreements-table").querySelector("tbody").replaceChildren(...rows);
  }

  const selectorValue = (s) => (s.agency ? `agency:${s.agency}` : `kind:${s.kind}`);
  function startEdit(a) {
    editing = a;
    $("edit-heading").textContent = `Edit ${a.id} (next version ${a.version + 1})`;
    $("a-id").value = a.id;
    $("a-id").disabled = true;
    $("a-title").value = a.title;
    $("a-provider").value = selectorValue(a.provider);
    $("a-recipient").value = selectorValue(a.recipient);
    [...$("a-event-types").options].forEach((o) => { o.selected = a.event_types.includes(o.value); });
    $("a-fields").value = a.fields.join(", ");
    $("a-purpose").value = a.purpose;
    $("a-basis").value = a.legal_basis;
    $("a-from").value = a.valid_from.slice(0, 10);
    $("a-to").value = a.valid_to ? a.valid_to.slice(0, 10) : "";
    document.querySelectorAll("#a-classes input").forEach((i) => { i.checked = a.data_classes.includes(i.value); });
    document.querySelectorAll("#a-conditions input").forEach((i) => { i.checked = a.conditions.includes(i.value); });
    $("a-cancel").hidden = false;
    $("a-title").focus();
  }
  function stopEdit() {
    editing = null;
    $("agreement-form").reset();
    $("a-id").disabled = false;
    $("a-cancel").hidden = true;
    $("edit-heading").textContent = "New agreement";
  }
  const checked = (box) => [...document.querySelectorAll(`#${box} input:checked`)].map((i) => i.value);

  async function saveAgreement(event) {
    event.preventDefault();
    problem("");
    const recipient = selector($("a-recipient").value);
    const draft = {
      title: $("a-title").value, provider: selector($("a-provider").value), recipient,
      event_types: [...$("a-event-types").selectedOptions].map((o) => o.value),
      data_classes: checked("a-classes"), conditions: checked("a-conditions"),
      fields: $("a-fields").value.split(",").map((f) => f.trim()).filter(Boolean),
      purpose: $("a-purpose").value, legal_basis: $("a-basis").value,
      valid_from: `${$("a-from").value}T00:00:00Z`,
      valid_to: $("a-to").value ? `${$("a-to").value}T00:00:00Z` : null,
    };
    try {
      const saved = editing
        ? await json("PUT", `/v1/agreements/${editing.id}`, { ...draft, based_on_version: editing.version })
        : await json("POST", "/v1/agreements", { ...draft, id: $("a-id").value });
      say(`Agreement ${saved.id} saved as version ${saved.version}.`);
      stopEdit();
      await listAgreements();
    } catch (error) { problem(`Agreement not saved: ${error.message}`); }
  }

  async function retireAgreement(a) {
    if (!window.confirm(`Retire ${a.id}? No decision after this will cite it.`)) return;
    try {
      await json("POST", `/v1/agreements/${a.id}/retire?based_on_version=${a.version}`);
      say(`Agreement ${a.id} retired.`);
      await listAgreements();
    } catch (error) { problem(`Agreement not retired: ${error.message}`); }
  }

  async function dryRun(event) {
    event.preventDefault();
    problem("");
    const plans = [["d-cp", "cp"], ["d-cin", "cin"]].filter(([id]) => $(id).checked).map(([, p]) => p);
    try {
      const result = await json("POST", "/v1/dry-run", {
        event_type: $("d-event-type").value, provider: $("d-provider").value,
        child_ref: $("d-child").value.trim() || null, active_plans: plans,
        looked_after: $("d-lac").checked,
        on_roll_at: [...$("d-roll").selectedOptions].map((o) => o.value),
      });
      const rows = result.decisions.map((d) => {
        const row = el("tr");
        row.dataset.recipient = d.recipient;
        row.append(el("td", `${d.recipient_name} (${d.recipient})`),
          el("td", d.decision, { class: d.decision }), el("td", d.fields.join(", ")),
          el("td", d.agreement_id ? `${d.agreement_id} v${d.agreement_version}` : ""),
          el("td", d.legal_basis || ""), el("td", d.purpose || ""),
          el("td", d.override ? `yes (${d.overridden_directive_id})` : "no"),
          el("td", d.detail || ""));
        return row;
      });
      $("dry-run-table").querySelector("tbody").replaceChildren(...rows);
      $("dry-run-table").hidden = false;
      say(`Dry run under policy ${result.policy_version.slice(0, 12)}: ` +
          `${result.decisions.filter((d) => d.decision === "permit").length} of ${result.decisions.length} agencies would see it.`);
    } catch (error) { problem(`Dry run failed: ${error.message}`); }
  }

  // What the audit part of the page (audit.js) shares with this one.
  window.consentPage = { $, el, say, problem, api, json, has };

  document.addEventListener("DOMContentLoaded", () => {
    $("signin").addEventListener("submit", signIn);
    $("signout").addEventListener("click", () => { sessionStorage.clear(); window.location.reload(); });
    $("agreement-form").addEventListener("submit", saveAgreement);
    $("a-cancel").addEventListener("click", stopEdit);
    $("dry-run-form").addEventListener("submit", dryRun);
    if (sessionStorage.getItem("consent-token")) signIn();
  });
})();
