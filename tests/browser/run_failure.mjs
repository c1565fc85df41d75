// A run that fails after committing part of its plan, in a real browser:
// the confirmation dialog must state the real plan (not "one transaction")
// and the result banner must list what committed instead of saying that
// nothing was applied.
//
//   node run_failure.mjs URL TOKEN COMMITTED[,NAME...] FAILED SCREENSHOT.png
//
// Prints "ok - ..." per step; exits non-zero on the first failure.
import { chromium } from "playwright-core";

const [url, token, committedArg, failed, shot] = process.argv.slice(2);
if (!shot) {
	console.error("usage: node run_failure.mjs URL TOKEN COMMITTED[,NAME...] FAILED SCREENSHOT");
	process.exit(2);
}
const committed = committedArg.split(",");

function ok(what) {
	console.log("ok - " + what);
}

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
	args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
});
try {
	const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
	page.setDefaultTimeout(20000);
	await page.goto(url);
	await page.locator(`tr[data-name="${failed}"]`).waitFor();
	await page.click("#run-btn");
	await page.locator("#token-dlg[open]").waitFor();
	await page.fill("#token-input", token);
	await page.click("#token-ok");
	await page.locator("#confirm-dlg[open]").waitFor();
	const dialog = await page.locator("#confirm-dlg").textContent();
	if (/in one transaction,/.test(dialog) || !/only its own transaction is rolled back/.test(dialog))
		throw new Error("confirmation does not state the split plan: " + dialog);
	ok("confirmation states the plan: " + dialog.replace(/\s+/g, " ").slice(0, 160));
	await page.click("#confirm-ok");
	const banner = page.locator("#run-result .banner.err");
	await banner.waitFor();
	const text = await banner.textContent();
	if (/nothing applied|nothing was applied/i.test(text))
		throw new Error("the banner says nothing was applied: " + text);
	for (const n of committed) {
		await page.locator(`#run-result li[data-outcome="committed"]`, { hasText: n }).waitFor();
		await page.locator(`tr[data-name="${n}"] .badge[data-state="applied"]`).waitFor();
	}
	ok("the banner lists " + committed.join(", ") + " as committed, and the rows agree");
	await page.locator(`#run-result li[data-outcome="rolled_back"]`, { hasText: failed }).waitFor();
	ok(failed + " is listed as rolled back");
	await page.screenshot({ path: shot, fullPage: true });
	ok("screenshot " + shot);
} catch (e) {
	console.log("not ok - " + e.message);
	process.exitCode = 1;
} finally {
	await browser.close();
}
