// The audit part of the page: search with paging, subject access report, override review,
// oversight pictures. Data goes into the page as text nodes only (never as markup); pictures
// are SVG fetched with the bearer token and shown through blob: URLs.
"use strict";
(() => {
  const { $, el, say, problem, api, json, has } = window.consentPage;
  let cursors = [];   // the cursor of each page shown so far (null: the first page)
  let reviewing = null;
  let queueCursor = null;
  const pictures = new Map();

  const when = (iso) => (iso ? iso.replace("T", " ").slice(0, 16) + " UTC" : "-");
  function row(values, attributes) {
    const tr = el("tr", null, attributes);
    values.forEach((value) => {
      if (value instanceof Node) { const td = el("td"); td.append(value); tr.append(td); }
      else tr.append(el("td", value ?? ""));
    });
    return tr;
  }
  function decisionCell(decision) { return el("span", decision, { class: decision }); }

  function filters() {
    const params = new URLSearchParams();
    const set = (name, value) => { if (value) params.set(name, value); };
    set("child_ref", $("au-child").value.trim());
    set("recipient", $("au-recipient").value);
    set("agreement_id", $("au-agreement").value.trim());
    set("subject_event_type", $("au-event-type").value);
    set("decision", $("au-decision").value);
    set("override", $("au-override").value);
    if ($("au-from").value) params.set("from", `${$("au-from").value}T00:00:00Z`);
    if ($("au-to").value) params.set("to", `${$("au-to").value}T00:00:00Z`);
    return params;
  }

  async function showPage(cursor) {
    problem("");
    const params = filters();
    if (cursor) params.set("cursor", cursor);
    try {
      const found = await json("GET", `/v1/audit/decisions?${params}`);
      const rows = found.decisions.map((d) => row([
        when(d.recorded_at), d.child_ref, d.subject_event_type, d.recipient, decisionCell(d.decision),
        (d.fields || []).join(", "), d.agreement_id || "", d.override ? "yes" : "no", d.reason,
      ], { "data-offset": `${d.partition}/${d.offset}` }));
      $("audit-table").querySelector("tbody").replaceChildren(...rows);
      $("audit-table").hidden = false;
      $("au-next").hidden = !found.next_cursor;
      $("au-next").dataset.cursor = found.next_cursor || "";
      $("au-first").hidden = cursors.length <= 1;
      say(`Page ${cursors.length}: ${found.count} decisions` + (found.next_cursor ? " (more on the next page)." : "."));
    } catch (error) { problem(`Audit search failed: ${error.message}`); }
  }
  function search(event) { event.preventDefault(); cursors = [null]; showPage(null); }
  function nextPage() { const c = $("au-next").dataset.cursor; cursors.push(c); showPage(c); }
  function firstPage() { cursors = [null]; showPage(null); }

  async function save(path, name) {
    problem("");
    try {
      const blob = await (await api("GET", path)).blob();
      const link = el("a", null, { href: URL.createObjectURL(blob), download: name });
      document.body.append(link);
      link.click();
      link.remove();
    } catch (error) { problem(`Download failed: ${error.message}`); }
  }
  async function picture(img, path) {
    try {
      const blob = await (await api("GET", path)).blob();
      if (pictures.has(img.id)) URL.revokeObjectURL(pictures.get(img.id));
      pictures.set(img.id, URL.createObjectURL(blob));
      img.src = pictures.get(img.id);
    } catch (error) { problem(`Picture not shown: ${error.message}`); }
  }

  async function verify() {
    problem("");
    try {
      const report = await json("GET", "/v1/audit/verify");
      if (report.intact) say(`Hash chain intact: ${report.records} records in ${report.partitions} partitions.`);
      else problem(`Hash chain broken: ${report.breaks.map((b) => `partition ${b.partition} offset ${b.offset}: ${b.problem}`).join("; ")}`);
    } catch (error) { problem(`Verification failed: ${error.message}`); }
  }

  const reportPath = () => `/v1/audit/children/${encodeURIComponent($("au-child").value.trim())}/report`;
  async function openReport() {
    problem("");
    if (!$("au-child").value.trim()) { problem("Subject access report: give a child reference."); return; }
    try {
      const report = await json("GET", reportPath());
      $("sar-intro").textContent = `Child reference ${report.child_ref}: every decision to share, or not to share, information about this child.`;
      const facts = [["Decisions", report.decisions_total], ["Shared (permit)", report.permits],
        ["Not shared (deny)", report.denies], ["Safeguarding overrides", report.overrides],
        ["First", when(report.first)], ["Last", when(report.last)]];
      $("sar-summary").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", k), el("dd", v)]));
      $("sar-recipients").querySelector("tbody").replaceChildren(...report.recipients.map((r) => row([
        `${r.recipient_name} (${r.recipient})`, r.permits, r.denies, r.overrides, when(r.first), when(r.last)])));
      $("sar-decisions").querySelector("tbody").replaceChildren(...report.decisions.map((d) => row([
        when(d.decided_at), d.recipient_name, decisionCell(d.decision), d.subject_event_type,
        d.agreement_id || "-", d.purpose_label || d.purpose || "-", d.legal_basis_label || d.legal_basis || "-",
        d.fields.join(", ") || "-", d.override ? "yes" : "no"])));
      $("sar-section").hidden = false;
      await picture($("sar-timeline"), `${reportPath()}?format=svg`);
      say(`Subject access report: ${report.decisions_total} decisions.`);
      $("sar-heading").scrollIntoView();
    } catch (error) { problem(`Subject access report failed: ${error.message}`); }
  }
  async function printable() {
    const opened = window.open("", "_blank");
    try {
      const blob = await (await api("GET", `${reportPath()}?format=html`)).blob();
      opened.location.href = URL.createObjectURL(new Blob([blob], { type: "text/html" }));
    } catch (error) { opened.close(); problem(`Printable report failed: ${error.message}`); }
  }

  async function loadQueue(cursor) {
    try {
      const params = new URLSearchParams({ state: "unreviewed" });
      if (cursor) params.set("cursor", cursor);
      const queue = await json("GET", `/v1/audit/overrides?${params}`);
      const rows = queue.overrides.map((o) => {
        const review = el("button", "Review", { type: "button", "aria-label": `Review the override of ${when(o.recorded_at)} to ${o.recipient}` });
        review.addEventListener("click", () => startReview(o));
        return row([when(o.recorded_at), o.recipient, o.subject_event_type,
          o.agreement ? `${o.agreement.title} (${o.agreement.id} v${o.agreement.version})` : (o.agreement_id || "-"),
          o.fields.join(", "), review], { "data-offset": `${o.partition}/${o.offset}` });
      });
      $("queue-table").querySelector("tbody").replaceChildren(...rows);
      queueCursor = queue.next_cursor;
      $("queue-next").hidden = !queueCursor;
    } catch (error) { problem(`Override queue not loaded: ${error.message}`); }
  }
  function startReview(o) {
    reviewing = o;
    const facts = [["Decided", when(o.recorded_at)], ["Child reference", o.child_ref],
      ["Recipient", o.recipient], ["Event", `${o.subject_event_type} (${o.subject_event_id})`],
      ["Fields shared", o.fields.join(", ")], ["Legal basis", o.legal_basis || "-"],
      ["Purpose", o.purpose || "-"], ["Reason", o.reason],
      ["Agreement", o.agreement ? `${o.agreement.title} (${o.agreement.id} v${o.agreement.version}, ${o.agreement.status})` : (o.agreement_id || "-")],
      ["Audit record", `partition ${o.partition}, offset ${o.offset}`]];
    $("review-detail").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", k), el("dd", v)]));
    $("review-heading").textContent = `Review the override of ${when(o.recorded_at)}`;
    $("review-form").reset();
    $("review-form").hidden = false;
    $("rv-upheld").focus();
  }
  async function recordReview(event) {
    event.preventDefault();
    problem("");
    const outcome = document.querySelector('#review-form input[name="outcome"]:checked');
    try {
      await json("POST", `/v1/audit/overrides/${reviewing.partition}/${reviewing.offset}/reviews`, {
        outcome: outcome ? outcome.value : "", note: $("rv-note").value, decided_at: reviewing.recorded_at,
      });
      say(`Review recorded: ${outcome.value}.`);
      $("review-form").hidden = true;
      reviewing = null;
      await Promise.all([loadQueue(null), summary()]);
    } catch (error) { problem(`Review not recorded: ${error.message}`); }
  }

  async function summary() {
    try {
      const figures = await json("GET", "/v1/oversight/summary");
      $("ov-unreviewed").textContent = `Unreviewed safeguarding overrides: ${figures.unreviewed_overrides}`;
      const breaks = figures.chain_breaks.map((b) => el("li", `${b.topic} partition ${b.partition} offset ${b.offset}: ${b.problem} (found ${when(b.found_at)})`));
      const heading = el("h3", breaks.length ? "Audit chain breaks found" : "No audit chain break found");
      const list = el("ul");
      list.append(...breaks);
      $("ov-breaks").replaceChildren(heading, list);
    } catch (error) { problem(`Oversight figures not loaded: ${error.message}`); }
  }
  async function oversight(event) {
    if (event) event.preventDefault();
    const days = $("ov-days").value;
    await Promise.all([summary(),
      picture($("ov-disclosures"), `/v1/oversight/charts/disclosures.svg?days=${days}`),
      picture($("ov-denies"), `/v1/oversight/charts/denies.svg?days=${days}`),
      picture($("ov-map"), "/v1/oversight/sharing-map.svg")]);
  }

  document.addEventListener("consent:signed-in", () => {
    if (has("auditor") || has("ig-lead")) oversight();
    if (has("ig-lead")) loadQueue(null);
  });
  document.addEventListener("DOMContentLoaded", () => {
    $("audit-form").addEventListener("submit", search);
    $("au-next").addEventListener("click", nextPage);
    $("au-first").addEventListener("click", firstPage);
    $("au-csv").addEventListener("click", () => save(`/v1/audit/decisions.csv?${filters()}`, "audit-decisions.csv"));
    $("au-verify").addEventListener("click", verify);
    $("au-report").addEventListener("click", openReport);
    $("sar-print").addEventListener("click", printable);
    $("sar-csv").addEventListener("click", () => save(`${reportPath()}?format=csv`, "subject-access.csv"));
    $("queue-next").addEventListener("click", () => loadQueue(queueCursor));
    $("review-form").addEventListener("submit", recordReview);
    $("rv-cancel").addEventListener("click", () => { $("review-form").hidden = true; reviewing = null; });
    $("oversight-form").addEventListener("submit", oversight);
  });
})();
