// The framework's checksum on the page, whole: a signed CRC32 such as
// Flyway's (-1350952657) in the table's cell and in the run dialog,
// exactly as status --json gives it, never cut and never swapped for a
// SHA-256 prefix.
//
//   node checksum.mjs URL TOKEN APPLIED=CHECKSUM PENDING=CHECKSUM
//
// Prints "ok - ..." per step; exits non-zero on the first failure.
import { chromium } from "playwright-core";

const [url, token, appliedArg, pendingArg] = process.argv.slice(2);
if (!pendingArg) {
	console.error("usage: node checksum.mjs URL TOKEN APPLIED=CHECKSUM PENDING=CHECKSUM");
	process.exit(2);
}
const [applied, appliedSum] = appliedArg.split("=");
const [pending, pendingSum] = pendingArg.split("=");
const ok = (what) => console.log("ok - " + what);

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
	args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
});
try {
	const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
	page.setDefaultTimeout(20000);
	await page.goto(url);
	await page.evaluate((t) => sessionStorage.setItem("reckon.token", t), token);
	const cell = page.locator(`tr[data-name="${applied}"] td.hash span`);
	await cell.waitFor();
	const shown = await cell.textContent(), title = await cell.getAttribute("title");
	if (shown !== appliedSum || !title.includes(appliedSum))
		throw new Error(`table shows ${JSON.stringify(shown)} (title ${JSON.stringify(title)}), status says ${appliedSum}`);
	ok(`table shows ${applied}'s checksum whole: ${shown}`);
	await page.click("#run-btn");
	await page.locator("#confirm-dlg[open] #confirm-list").waitFor();
	const inDialog = await page.locator("#confirm-list li .h").first().textContent();
	if (inDialog !== pendingSum)
		throw new Error(`run dialog shows ${JSON.stringify(inDialog)} for ${pending}, status says ${pendingSum}`);
	ok(`run dialog shows ${pending}'s checksum as the table does: ${inDialog}`);
	await page.click("#confirm-cancel");
} catch (e) {
	console.log("not ok - " + e.message);
	process.exitCode = 1;
} finally {
	await browser.close();
}
