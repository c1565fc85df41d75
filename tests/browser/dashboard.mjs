// The dashboard in a real browser: Debian's headless Chromium driven by
// playwright-core. Loads the page a running `reckon serve` answers at URL,
// finds the pending migration, runs it through the token prompt and the
// confirmation dialog (which must list exactly the expected files), sees it
// become applied, opens its SQL preview and saves a screenshot.
//
//   node dashboard.mjs URL TOKEN PENDING_NAME[,NAME...] SCREENSHOT.png
//
// Prints "ok - ..." per step; exits non-zero on the first failure.
import { chromium } from "playwright-core";

const [url, token, names, shot] = process.argv.slice(2);
if (!shot) {
	console.error("usage: node dashboard.mjs URL TOKEN NAME[,NAME...] SCREENSHOT");
	process.exit(2);
}
const expected = names.split(",");
const problems = [];

function ok(what) {
	console.log("ok - " + what);
}

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
	args: [
		"--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update",
		"--disable-sync", "--no-first-run",
	],
});
try {
	const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
	page.setDefaultTimeout(20000);
	page.on("pageerror", (e) => problems.push("page error: " + e.message));
	page.on("console", (m) => {
		// a 4xx/5xx answer is logged as "Failed to load resource"; the page
		// shows those itself, so only script errors count here
		if (m.type() === "error" && !m.text().startsWith("Failed to load resource"))
			problems.push("console error: " + m.text());
	});

	await page.goto(url);
	const row = (name) => page.locator(`tr[data-name="${name}"]`);
	for (const n of expected) {
		await row(n).locator('.badge[data-state="pending"]').waitFor();
	}
	ok("dashboard lists " + expected.join(", ") + " as pending");

	await page.click("#run-btn");
	await page.locator("#token-dlg[open]").waitFor();
	ok("the first POST asks for the token");
	await page.fill("#token-input", token);
	await page.click("#token-ok");

	await page.locator("#confirm-dlg[open]").waitFor();
	const listed = await page.locator("#confirm-list li").evaluateAll(
		(lis) => lis.map((li) => li.firstChild.textContent));
	if (JSON.stringify(listed) !== JSON.stringify(expected))
		throw new Error(`confirmation lists ${JSON.stringify(listed)}, expected ${JSON.stringify(expected)}`);
	ok("confirmation lists exactly " + listed.join(", "));
	const stored = await page.evaluate(() => ({
		session: sessionStorage.getItem("reckon.token"),
		local: localStorage.length,
	}));
	if (stored.session !== token || stored.local !== 0)
		throw new Error("token not kept in sessionStorage only: " + JSON.stringify(stored));
	ok("token kept in sessionStorage, nothing in localStorage");
	await page.screenshot({ path: shot.replace(/\.png$/, "-confirm.png") });
	await page.click("#confirm-ok");

	for (const n of expected) {
		await row(n).locator('.badge[data-state="applied"]').waitFor();
	}
	await page.locator("#run-result .banner.ok").waitFor();
	ok("after the run the dashboard shows them applied");

	await row(expected[0]).click();
	await page.locator("#pv-code .ln .no").first().waitFor();
	const nlines = await page.locator("#pv-code .ln").count();
	const keywords = await page.locator("#pv-code .tok-kw").count();
	if (nlines < 1 || keywords < 1)
		throw new Error(`preview shows ${nlines} lines, ${keywords} keywords`);
	ok(`preview shows ${nlines} numbered lines with highlighted keywords`);

	await page.click("#check-btn");
	await page.locator("#check-out .verdict").waitFor();
	ok("safety check: " + await page.locator("#check-out .verdict").textContent());

	await page.fill("#ds-sql", "CREATE TABLE orders (id integer);\nCREATE TABLE invoices (id integer);");
	await page.click("#ds-btn");
	await page.locator("#ds-out table, #ds-out .banner").first().waitFor();
	ok("schema detection answered: " +
		(await page.locator("#ds-out").textContent()).slice(0, 120));

	await page.mouse.move(0, 0);
	await page.screenshot({ path: shot, fullPage: true });
	ok("screenshot " + shot);
	if (problems.length)
		throw new Error(problems.join("; "));
	ok("no page or console errors");
} catch (e) {
	console.log("not ok - " + e.message);
	process.exitCode = 1;
} finally {
	await browser.close();
}
