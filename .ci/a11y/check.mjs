// Runs axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on every HTML file under the
// folder given, in Debian's headless Chromium, and checks that each quarterly
// pack's first page (all before its first page break) prints on one A4 sheet.
// Exits 1 on any violation.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

function htmlFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return htmlFiles(path);
    return name.endsWith(".html") ? [path] : [];
  });
}

const root = resolve(process.argv[2] ?? "out");
const files = htmlFiles(root).sort();
if (files.length === 0) {
  console.error(`no .html files under ${root}`);
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
let failures = 0;
for (const file of files) {
  const page = await browser.newPage();
  await page.goto(`file://${file}`);
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
    }),
  );
  const name = file.slice(root.length + 1);
  if (result.violations.length === 0) {
    console.log(`ok   ${name} (${result.passes.length} rules passed)`);
  } else {
    failures += 1;
    console.log(`FAIL ${name}`);
    for (const v of result.violations) {
      console.log(`  ${v.id} (${v.impact}): ${v.help}`);
      for (const n of v.nodes.slice(0, 5)) console.log(`    ${n.target.join(" ")}: ${n.failureSummary.split("\n").join(" ")}`);
    }
  }
  if (/quarterly-pack[^/]*\.html$/.test(file)) {
    // The first page alone: everything from the first page break on, and the
    // footer (printed at the end), taken away.
    await page.evaluate(() => {
      let node = document.querySelector(".page-break");
      while (node) {
        const next = node.nextElementSibling;
        node.remove();
        node = next;
      }
      document.querySelector("footer")?.remove();
    });
    const pdf = await page.pdf({ preferCSSPageSize: true });
    const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    if (pages === 1) {
      console.log(`ok   ${name}: the first page prints on one A4 sheet`);
    } else {
      failures += 1;
      console.log(`FAIL ${name}: the first page takes ${pages} A4 sheets in print`);
    }
  }
  await page.close();
}
await browser.close();
process.exit(failures ? 1 : 0);
