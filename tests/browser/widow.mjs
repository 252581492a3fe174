// Browser test of the workbench: starts `assessor serve` on a free loopback port, drives the page in Debian's
// headless Chromium (playwright-core over CDP, a fresh profile), answers the interview of
// fixtures/interview/widow.json by clicking (the first answer by keyboard alone), checks the decision, amount and
// tier shown, checks that 200% zoom needs no sideways scrolling and that the page logs no error (a CSP violation
// would be one), and saves screenshots of the interview and the report in Chinese and English under
// target/browser/.
//
// Usage: node tests/browser/widow.mjs [path/to/assessor]   (from the repository root)
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { readFileSync, mkdirSync } from "node:fs";
import { createInterface } from "node:readline";

const bin = process.argv[2] || "target/debug/assessor";
const out = "target/browser";
mkdirSync(out, { recursive: true });
const widow = JSON.parse(readFileSync("fixtures/interview/widow.json", "utf8"));
const expected = { zh: { decision: "予以救助" }, en: { decision: "Assist" } };

function at(doc, pointer) {
  let v = doc;
  for (const seg of pointer.split("/").slice(1)) {
    if (v === null || typeof v !== "object" || !(seg in v)) return undefined;
    v = v[seg];
  }
  return v;
}

function fail(msg) { throw new Error(msg); }

async function startServer() {
  const child = spawn(bin, ["serve", "--addr", "127.0.0.1:0", "--quiet"], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`assessor serve exited with ${code}`)));
  });
  const m = /^listening on (http:\/\/[^ ]+)$/.exec(line.trim()) || fail(`unexpected first line: ${line}`);
  return { child, base: m[1].replace(/\/$/, "") };
}

async function waitForMove(page, before) {
  await page.waitForFunction((prev) => {
    const done = !document.getElementById("done").hidden;
    const p = document.getElementById("progress").textContent;
    const inv = document.getElementById("invalid").textContent;
    return done || (p !== prev && p !== "") || inv !== "";
  }, before, { timeout: 30000 });
  const invalid = await page.textContent("#invalid");
  if (invalid) fail(`the page refused an answer: ${invalid}`);
}

async function interview(page, base, lang) {
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${base}/?lang=${lang}`);
  await page.waitForSelector("#question[data-fact]");
  // The first answer by keyboard alone: the question has the focus; Tab reaches the answer field, Enter sends.
  if ((await page.getAttribute("#question", "data-fact")) !== "/case_id") fail("the first question is not the case id");
  let before = await page.textContent("#progress");
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
  if (focused !== "answer") fail(`Tab from the question reached #${focused}, not the answer field`);
  await page.keyboard.type(widow.case_id);
  await page.keyboard.press("Enter");
  await waitForMove(page, before);
  let asked = 1;
  while (await page.isHidden("#done")) {
    const fact = await page.getAttribute("#question", "data-fact");
    const kind = await page.getAttribute("#question", "data-kind");
    const value = at(widow, fact);
    before = await page.textContent("#progress");
    if (asked === 6) await page.screenshot({ path: `${out}/interview-${lang}.png`, fullPage: false });
    if (value === undefined || value === null) {
      await page.click("#unknown");
    } else if (kind === "yes_no") {
      await page.click(`#choices button[data-value="${value ? "yes" : "no"}"]`);
    } else if (kind === "choice") {
      await page.click(`#choices button[data-value="${value}"]`);
    } else {
      await page.fill("#answer", String(Array.isArray(value) ? value.length : value));
      await page.click("#submit");
    }
    await waitForMove(page, before);
    if (++asked > 100) fail("the interview does not end");
  }
  // The full report replaces the recommendation so far.
  await page.waitForFunction(() => document.getElementById("r-heading").textContent.match(/报告|Report/));
  const shown = {
    decision: (await page.textContent("#decision")).trim(),
    amount: (await page.textContent("#amount")).trim(),
    tier: (await page.textContent("#tier")).trim(),
  };
  const want = { decision: expected[lang].decision, amount: "¥34,000", tier: "A" };
  for (const k of Object.keys(want)) if (shown[k] !== want[k]) fail(`${lang}: ${k} shows ${shown[k]}, not ${want[k]}`);
  await page.screenshot({ path: `${out}/report-full-${lang}.png`, fullPage: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${out}/report-${lang}.png` });
  if (errors.length) fail(`${lang}: the page logged errors: ${errors.join("; ")}`);
  return asked;
}

const { child, base } = await startServer();
let browser;
try {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run"],
  });
  for (const lang of ["zh", "en"]) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: lang });
    const page = await context.newPage();
    const asked = await interview(page, base, lang);
    console.log(`${lang}: ${asked} questions, decision, amount and tier as expected`);
    await context.close();
  }
  // 200% zoom: a 1280-pixel window at twice the scale is 640 CSS pixels wide; nothing may need sideways scrolling.
  const zoomed = await browser.newContext({ viewport: { width: 640, height: 900 }, deviceScaleFactor: 2 });
  const page = await zoomed.newPage();
  await page.goto(`${base}/`);
  await page.waitForSelector("#question[data-fact]");
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (wide > 0) fail(`at 200% zoom the page is ${wide} px wider than the window`);
  await page.screenshot({ path: `${out}/zoom-200.png` });
  // Every control has a name a screen reader can read.
  const unnamed = await page.evaluate(() => [...document.querySelectorAll("button, input")]
    .filter((e) => !(e.labels && e.labels.length) && !e.textContent.trim() && !e.getAttribute("aria-label"))
    .map((e) => e.id || e.outerHTML));
  if (unnamed.length) fail(`controls without a label: ${unnamed.join(", ")}`);
  console.log("browser test: the widow's interview in zh and en, zoom and labels as expected");
} finally {
  if (browser) await browser.close();
  child.kill();
}
