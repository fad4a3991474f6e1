// Loads an HTML report in headless Chromium and prints, as one JSON object,
// what a person would see: the verdict, the matrix counts, which cases are
// listed, whether a failing case's diff is hidden until its summary is
// clicked, what a matrix count link filters to, every request the page made
// besides its own file, and script errors. Writes screenshots.
//
// usage: node check-report.mjs REPORT.html OUT_DIR CASE_ANCHOR TARGET FAMILY OUTCOME
// The Rust test (tests/browser.rs) makes the assertions.
import { chromium } from "playwright-core";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [reportPath, outDir, caseAnchor, filterTarget, filterFamily, filterOutcome] =
  process.argv.slice(2);
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const result = { requests: [], errors: [], console: [] };
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const url = pathToFileURL(path.resolve(reportPath)).href;
  // The page must be self-contained: any other request is recorded and refused.
  await page.route("**/*", (route) => {
    const requested = route.request().url();
    if (requested === url) {
      return route.continue();
    }
    result.requests.push(requested);
    return route.abort();
  });
  page.on("pageerror", (error) => result.errors.push(String(error)));
  page.on("console", (message) => {
    if (message.type() === "error") {
      result.console.push(message.text());
    }
  });
  await page.goto(url, { waitUntil: "load" });

  result.title = await page.title();
  result.verdict = (await page.locator("#verdict").innerText()).trim();
  result.injected = await page.evaluate(() => window.__injected === true);
  result.matrix = await page.$$eval("table.matrix td.cell", (cells) =>
    cells.map((cell) => {
      const counts = {};
      cell.querySelectorAll("li[data-outcome]").forEach((li) => {
        counts[li.dataset.outcome] = li.querySelector(".n").textContent.trim();
      });
      return {
        target: cell.dataset.target,
        family: cell.dataset.family,
        text: cell.innerText.trim(),
        counts,
      };
    }),
  );
  result.notRun = await page.$$eval("table.matrix td.not-run[data-family=all]", (cells) =>
    cells.map((cell) => cell.dataset.target),
  );
  result.listedCases = await page.$$eval(".case", (cases) =>
    cases.map((c) => ({ target: c.dataset.target, id: c.querySelector(".id").textContent })),
  );
  result.implementations = await page.$$eval("table.implementations tbody tr", (rows) =>
    rows.map((row) => row.innerText.replace(/\s+/g, " ").trim()),
  );
  result.provenance = (await page.locator("#provenance").innerText()).replace(/\s+/g, " ");
  result.problems = (await page.locator("#problems").innerText()).replace(/\s+/g, " ");

  // A failing case: collapsed at first, its diff visible after a click.
  const failing = page.locator(`[id="${caseAnchor}"]`);
  const diff = failing.locator("pre.diff");
  result.diffVisibleBeforeClick = await diff.isVisible();
  await failing.locator("summary").first().click();
  result.diffVisibleAfterClick = await diff.isVisible();
  result.diffText = await diff.innerText();
  // Every value block open (the input of a small case is open already).
  const closed = failing.locator("details.json:not([open]) > summary");
  while ((await closed.count()) > 0) {
    await closed.first().click();
  }
  result.diffInserted = await diff.locator(".ins").allInnerTexts();
  result.diffDeleted = await diff.locator(".del").allInnerTexts();
  result.caseBody = (await failing.locator(".case-body").innerText()).replace(/\s+/g, " ");
  await failing.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(outDir, "report-case.png") });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(outDir, "report.png"), fullPage: true });

  // A matrix count: clicking it shows exactly those cases.
  const link = page.locator(
    `td.cell[data-target="${filterTarget}"][data-family="${filterFamily}"] a[data-outcome="${filterOutcome}"]`,
  );
  result.filterLinkText = (await link.innerText()).trim();
  await link.click();
  result.filteredCases = await page.$$eval(".case", (cases) =>
    cases
      .filter((c) => !c.hidden)
      .map((c) => ({
        target: c.dataset.target,
        family: c.dataset.family,
        outcome: c.dataset.outcome,
        visible: c.getBoundingClientRect().height > 0,
      })),
  );
  result.filterCount = (await page.locator("#filter-count").innerText()).trim();
  result.visibleTargetSections = await page.$$eval("section.target-cases", (sections) =>
    sections.filter((s) => !s.hidden).map((s) => s.dataset.target),
  );
  await page.screenshot({ path: path.join(outDir, "report-filtered.png") });

  // The search box narrows the list by id.
  await page.fill("#filter-text", "c01");
  result.searchedCases = await page.$$eval(".case", (cases) =>
    cases.filter((c) => !c.hidden).map((c) => c.querySelector(".id").textContent),
  );
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(result) + "\n");
