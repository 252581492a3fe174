// The workbench: an interview one question at a time from /api/interview (stateless: this page keeps the case, the
// facts answered "I don't know" and the earlier states for "back"), the recommendation so far beside it, the full
// report from /api/assess when the interview is done; open, download and print. No library, no network but this
// server.
"use strict";

const UI = {
  zh: {
    title: "国家司法救助评估", tools: "工具", open: "打开案件文件", new: "新的访谈", save_case: "下载案件文件",
    save_report: "下载报告", print: "打印", drop: "也可以把案件文件拖到本页。", interview: "访谈", answer: "回答",
    submit: "确定", unknown: "不知道", back: "上一题", so_far: "目前的建议", report: "评估报告",
    done: "访谈完成：所有可能影响决定、优先等级和金额的问题都已回答。", other_lang: "English",
    decision: "决定", amount: "救助金额", tier: "优先等级", none: "无", question_n: (n) => `第 ${n} 题`,
    to_confirm: "作出决定前须核实（不清楚的，推定不存在该情形）",
    decisions: { assist: "予以救助", decline: "不予救助", needs_information: "需补充信息" },
    outcomes: { met: "符合", not_met: "不符合", unknown: "待定" },
    findings: "理由", arithmetic: "金额计算", caps: "上限", referrals: "转介", what_if: "哪些情况会改变结果",
    missing: "尚缺的信息", approvals: "审批", basis: "依据", step: "项目", value: "数值",
    opened: (n) => `已打开 ${n}`, not_json: (n, e) => `${n} 不是 JSON 案件文件：${e}`,
    no_case: "还没有案件。", hints: { whole: (a, b) => `${a}–${b} 的整数`, count: () => "人数", money: () => "金额（元），如 1800、5万",
      date: () => "年-月-日，如 2022-09-01", text: () => "" },
    colon: "：", not_met: (n) => `不适用的规则（${n} 条）`,
    // The approvals' names as the reports write them (src/report/words.rs).
    approval_names: { collective_decision: "集体研究决定", over_36_months: "超过36个月工资总额，从严审核审批",
      reassistance: "再次救助审批", joint_assistance: "上下级联合救助" },
  },
  en: {
    title: "National judicial assistance assessment", tools: "Tools", open: "Open a case file", new: "New interview",
    save_case: "Download the case file", save_report: "Download the report", print: "Print",
    drop: "You can also drop a case file on this page.", interview: "Interview", answer: "Answer", submit: "OK",
    unknown: "I don't know", back: "Back", so_far: "Recommendation so far", report: "Report",
    done: "Interview complete: every question that could change the decision, the tier or the amount is answered.",
    other_lang: "中文", decision: "Decision", amount: "Amount", tier: "Priority tier", none: "none",
    question_n: (n) => `Question ${n}`,
    to_confirm: "To confirm before deciding (an item left unknown is presumed absent)",
    decisions: { assist: "Assist", decline: "Decline", needs_information: "Needs information" },
    outcomes: { met: "met", not_met: "not met", unknown: "undecided" },
    findings: "Why", arithmetic: "The amount's arithmetic", caps: "Caps", referrals: "Referrals",
    what_if: "What would change the outcome", missing: "What is missing", approvals: "Approvals", basis: "Basis",
    step: "Step", value: "Value", opened: (n) => `Opened ${n}`, not_json: (n, e) => `${n} is not a JSON case file: ${e}`,
    no_case: "No case yet.", hints: { whole: (a, b) => `a whole number, ${a}–${b}`, count: () => "how many",
      money: () => "yuan, e.g. 1800 or 5万", date: () => "YYYY-MM-DD, e.g. 2022-09-01", text: () => "" },
    colon: ": ", not_met: (n) => `Rules that do not apply (${n})`,
    approval_names: { collective_decision: "collective decision", over_36_months: "over 36 months",
      reassistance: "reassistance", joint_assistance: "joint assistance" },
  },
};

const $ = (id) => document.getElementById(id);
const state = { lang: "zh", case: null, unknown: [], history: [], step: null, report: null };
const t = () => UI[state.lang];

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else e.setAttribute(k, v);
  }
  for (const k of kids) if (k !== null && k !== undefined) e.append(k instanceof Node ? k : String(k));
  return e;
}

function say(text) { $("status").textContent = text; }

async function api(path, body) {
  const r = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body) });
  const data = await r.json().catch(() => null);
  if (!r.ok) throw new Error((data && data.message) || `HTTP ${r.status}`);
  return data;
}

// One step of the interview: with an answer, or none to (re)load the question for the current case.
async function step(answer) {
  const before = { case: state.case, unknown: state.unknown.slice() };
  let data;
  try {
    data = await api("/api/interview", { case: state.case, unknown: state.unknown, answer: answer || undefined,
      lang: state.lang });
  } catch (e) { $("invalid").textContent = e.message; return; }
  if (data.command === "back") { back(); return; }
  if (answer && !data.invalid) state.history.push(before);
  state.case = data.case; state.unknown = data.unknown; state.step = data;
  state.report = null;
  renderQuestion(data);
  renderReport(data.recommendation);
  if (data.done) await fullReport();
}

function back() {
  const prev = state.history.pop();
  if (!prev) return;
  state.case = prev.case; state.unknown = prev.unknown;
  step(null);
}

function renderQuestion(data) {
  const q = data.question;
  $("invalid").textContent = data.invalid || "";
  $("done").hidden = !data.done;
  $("ask").hidden = data.done;
  $("back").disabled = state.history.length === 0;
  $("progress").textContent = q ? t().question_n(state.history.length + 1) + (q.to_confirm ? ` · ${t().to_confirm}` : "") : "";
  if (!q) return;
  const box = $("question");
  box.textContent = q.text;
  box.dataset.fact = q.fact;
  box.dataset.kind = q.kind;
  const choices = $("choices");
  choices.replaceChildren();
  for (const c of q.choices) {
    const b = el("button", { type: "button", "data-value": c.value }, c.label);
    b.addEventListener("click", () => step({ fact: q.fact, text: c.value }));
    choices.append(b);
  }
  choices.hidden = q.choices.length === 0;
  const typed = q.kind !== "yes_no";
  $("typed").hidden = !typed;
  const hint = t().hints[q.kind];
  $("answer-hint").textContent = q.kind === "choice" ? "" :
    hint ? hint(q.min, q.max) : "";
  $("answer").value = "";
  $("answer").inputMode = ["whole", "count"].includes(q.kind) ? "numeric" : q.kind === "money" ? "decimal" : "text";
  $("unknown").textContent = q.unknown.label;
  $("unknown").dataset.value = q.unknown.value;
  box.focus();
}

function money(x) { return typeof x === "number" ? "¥" + x.toLocaleString("en-US") : "—"; }

// The report: decision, amount and tier first; then why (each finding and its basis), the arithmetic, referrals,
// what would change the outcome, what is missing.
function renderReport(r) {
  const s = $("summary"), d = $("details");
  s.replaceChildren(); d.replaceChildren();
  if (!r) { s.append(t().no_case); return; }
  const cell = (k, v, id, cls) => el("div", {}, el("span", { class: "k" }, k), el("span", { class: "v " + (cls || ""), id }, v));
  s.append(cell(t().decision, t().decisions[r.decision] || r.decision, "decision", r.decision),
    cell(t().amount, r.amount ? money(r.amount.recommended) : "—", "amount"),
    cell(t().tier, r.priority ? r.priority.tier : "—", "tier"));
  d.append(el("p", {}, `${r.case_id} · ${r.policy ? r.policy.name + " " + r.policy.version : ""}`));
  if (r.approvals && r.approvals.length) d.append(el("p", {}, `${t().approvals}${t().colon}${r.approvals.map((a) => t().approval_names[a] || a).join(t().colon === "：" ? "；" : ", ")}`));
  d.append(el("h3", {}, t().findings));
  // What decided the case (met or undecided) first; the rules that did not apply, folded, after.
  const item = (f) => el("li", {}, el("span", { class: "outcome " + f.outcome }, t().outcomes[f.outcome] || f.outcome),
    el("strong", {}, f.title), t().colon, f.reason || "",
    f.basis ? el("span", { class: "basis" }, `${t().basis}${t().colon}${f.basis}`) : null);
  const all = r.findings || [];
  d.append(el("ul", { class: "findings" }, ...all.filter((f) => f.outcome !== "not_met").map(item)));
  const others = all.filter((f) => f.outcome === "not_met");
  if (others.length) {
    d.append(el("details", { class: "others" }, el("summary", {}, t().not_met(others.length)),
      el("ul", { class: "findings" }, ...others.map(item))));
  }
  if (r.priority && r.priority.factors && r.priority.factors.length) {
    d.append(el("h3", {}, `${t().tier} ${r.priority.tier}（${r.priority.score}）`),
      el("ul", { class: "plain" }, ...r.priority.factors.map((f) => el("li", {}, f.reason))));
  }
  if (r.amount) {
    const tbody = el("tbody", {}, ...r.amount.steps.map((st) =>
      el("tr", {}, el("td", {}, st.reason), el("td", { class: "num" }, st.value.toLocaleString("en-US")))));
    d.append(el("h3", {}, t().arithmetic),
      el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, t().step), el("th", {}, t().value))), tbody));
    if (r.amount.caps && r.amount.caps.length)
      d.append(el("ul", { class: "plain", "aria-label": t().caps }, ...r.amount.caps.map((c) => el("li", {}, c.reason))));
  }
  list(d, t().referrals, (r.referrals || []).map((x) => `${x.agency_name}${t().colon}${x.reason}`));
  if (r.what_if) list(d, t().what_if, (r.what_if.changes || []).map((c) => c.text));
  list(d, t().missing, (r.missing || []).map((m) => m.why));
}

function list(d, title, items) {
  if (!items.length) return;
  d.append(el("h3", {}, title), el("ul", { class: "plain" }, ...items.map((x) => el("li", {}, x))));
}

// When the interview is done, the full report (with what would change the outcome) from /api/assess.
async function fullReport() {
  try {
    const rec = await api(`/api/assess?lang=${state.lang}`, state.case);
    state.report = rec;
    renderReport(rec);
    $("r-heading").textContent = t().report;
    $("r-heading").scrollIntoView({ block: "start" });
  } catch (e) { say(e.message); }
}

function translate() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  document.title = t().title;
  for (const e of document.querySelectorAll("[data-t]")) e.textContent = t()[e.dataset.t];
  for (const e of document.querySelectorAll("[data-t-aria]")) e.setAttribute("aria-label", t()[e.dataset.tAria]);
  $("lang").textContent = t().other_lang;
  $("lang").lang = state.lang === "zh" ? "en" : "zh";
}

function download(name, type, text) {
  const a = el("a", { href: URL.createObjectURL(new Blob([text], { type })), download: name });
  document.body.append(a); a.click(); a.remove();
}

function fileName(ext) {
  const id = (state.case && state.case.case_id) || "case";
  return String(id).replace(/[^\p{L}\p{N}_-]/gu, "_").slice(0, 64) + ext;
}

async function openFile(file) {
  if (!file) return;
  try {
    const json = JSON.parse(await file.text());
    state.case = json; state.unknown = []; state.history = [];
    say(t().opened(file.name));
    await step(null);
  } catch (e) { say(t().not_json(file.name, e.message)); }
}

function start() {
  const asked = new URLSearchParams(location.search).get("lang");
  if (asked === "en" || asked === "zh") state.lang = asked;
  translate();
  $("ask").addEventListener("submit", (e) => {
    e.preventDefault();
    const q = state.step && state.step.question;
    if (q) step({ fact: q.fact, text: $("answer").value });
  });
  $("unknown").addEventListener("click", () => {
    const q = state.step && state.step.question;
    if (q) step({ fact: q.fact, text: q.unknown.value });
  });
  $("back").addEventListener("click", back);
  $("lang").addEventListener("click", () => {
    state.lang = state.lang === "zh" ? "en" : "zh";
    translate();
    step(null);
  });
  $("new").addEventListener("click", () => { state.case = null; state.unknown = []; state.history = []; step(null); });
  $("open").addEventListener("change", (e) => openFile(e.target.files[0]));
  $("save-case").addEventListener("click", () =>
    download(fileName(".json"), "application/json", JSON.stringify(state.case || {}, null, 2) + "\n"));
  $("save-report").addEventListener("click", async () => {
    const r = await fetch(`/api/assess?format=markdown&lang=${state.lang}`, { method: "POST",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(state.case || {}) });
    const text = await r.text();
    if (!r.ok) { say(JSON.parse(text).message); return; }
    download(fileName(".md"), "text/markdown", text);
  });
  $("print").addEventListener("click", () => window.print());
  document.addEventListener("dragover", (e) => { e.preventDefault(); document.body.classList.add("drag"); });
  document.addEventListener("dragleave", () => document.body.classList.remove("drag"));
  document.addEventListener("drop", (e) => {
    e.preventDefault(); document.body.classList.remove("drag");
    openFile(e.dataTransfer.files[0]);
  });
  step(null);
}

document.addEventListener("DOMContentLoaded", start);
