// The dashboard on a labelled server, in a real browser at a laptop's and
// two phones' sizes: nothing wider than the screen, the label banner and
// the database in view, one <h1>, every field labelled; mark-applied shows
// detect-schema's evidence and needs one more tick when objects are
// missing; every write needs the label typed; the safety check runs again
// (with a new time stamp) after a run; repair a modified file against a
// diff of the applied bytes, unmark an orphan (keyboard only), history and
// detection views.
//
//   node views.mjs URL TOKEN LABEL DATABASE PENDING,PENDING ORPHAN MODIFIED
//                  BACKEND SHOTDIR
//
// PENDING: two pending files whose objects do not exist (the first is
// tried for mark-applied, then both run); ORPHAN: a record without a file;
// MODIFIED: a file edited since it was applied by reckon. Prints "ok - ..."
// per step; exits non-zero on the first failure.
import { chromium } from "playwright-core";

const [url, token, label, database, pendingArg, orphan, modified, backend, shots] =
	process.argv.slice(2);
if (!shots) {
	console.error("usage: node views.mjs URL TOKEN LABEL DATABASE PENDING,PENDING ORPHAN MODIFIED BACKEND SHOTDIR");
	process.exit(2);
}
const pending = pendingArg.split(",");
const problems = [];
const ok = (what) => console.log("ok - " + what);
const sizes = { laptop: [1366, 900], phone: [360, 740], phone390: [390, 844] };

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
	args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

async function open(size, colorScheme = "light") {
	const [width, height] = sizes[size];
	const page = await browser.newPage({ viewport: { width, height }, colorScheme });
	page.setDefaultTimeout(20000);
	page.on("pageerror", (e) => problems.push(size + ": page error: " + e.message));
	page.on("console", (m) => {
		if (m.type() === "error" && !m.text().startsWith("Failed to load resource"))
			problems.push(size + ": console error: " + m.text());
	});
	await page.goto(url);
	await page.evaluate((t) => sessionStorage.setItem("reckon.token", t), token);
	await page.reload();
	await page.locator("#mig-rows tr").first().waitFor();
	await page.locator("#hist-out table, #hist-out .empty:not(:has-text('loading'))").first().waitFor();
	await page.locator("#det-list").waitFor();
	return page;
}

// Elements sticking out of the viewport, ignoring what a scrolling or
// clipping ancestor hides (the ancestor itself is measured).
async function tooWide(page, where) {
	const r = await page.evaluate(() => {
		const vw = document.documentElement.clientWidth, bad = [];
		const clipped = (e) => {
			for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
				const o = getComputedStyle(p).overflowX;
				if (o !== "visible") return true;
			}
			return false;
		};
		for (const e of document.querySelectorAll("body *")) {
			const cs = getComputedStyle(e);
			if (cs.display === "none" || cs.visibility === "hidden" || e.closest("dialog:not([open])") ||
				e.classList.contains("sr") || e.closest(".sr")) continue;
			const b = e.getBoundingClientRect();
			if (b.width === 0 && b.height === 0) continue;
			if ((b.right > vw + 0.5 || b.left < -0.5) && !clipped(e))
				bad.push(e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
					(e.className && typeof e.className === "string" ? "." + e.className.split(" ")[0] : "") +
					" " + Math.round(b.left) + ".." + Math.round(b.right));
		}
		return { vw, scroll: document.documentElement.scrollWidth, bad: bad.slice(0, 8) };
	});
	if (r.scroll > r.vw || r.bad.length)
		throw new Error(`${where}: page ${r.scroll}px wide in a ${r.vw}px viewport; too wide: ${r.bad.join(", ")}`);
	ok(`${where}: nothing wider than the ${r.vw}px viewport (page ${r.scroll}px)`);
}

async function basics(page, size) {
	const banner = page.locator("#label-banner");
	await banner.waitFor({ state: "visible" });
	if (!(await banner.textContent()).includes(label) || !(await banner.isVisible()))
		throw new Error("label banner does not show " + label);
	const db = page.locator("#db-url");
	await db.waitFor({ state: "visible" });
	const shown = await db.textContent();
	if (shown !== database)
		throw new Error(`header shows database ${JSON.stringify(shown)}, expected ${JSON.stringify(database)}`);
	if (!(await page.locator("#db-version").textContent()).match(/^\d+\.\d+/))
		throw new Error("no server version in the header");
	const inView = await page.evaluate(() => ["label-banner", "db-url"].every((id) => {
		const b = document.getElementById(id).getBoundingClientRect();
		return b.top >= 0 && b.bottom <= innerHeight && b.right <= document.documentElement.clientWidth;
	}));
	if (!inView) throw new Error("banner or database not in view at the top");
	ok(`${size}: banner "${label}", database ${shown} and server version in view`);
	const a11y = await page.evaluate(() => {
		const unlabelled = [];
		for (const e of document.querySelectorAll("input, textarea, select")) {
			if (e.type === "hidden") continue;
			const named = (e.labels && e.labels.length) || e.getAttribute("aria-label") || e.getAttribute("aria-labelledby");
			if (!named) unlabelled.push(e.id || e.outerHTML.slice(0, 60));
		}
		const live = ["run-result", "check-out", "ds-out", "toast"].filter(
			(id) => !document.getElementById(id).getAttribute("aria-live"));
		return { h1: document.querySelectorAll("h1").length, unlabelled, live };
	});
	if (a11y.h1 !== 1) throw new Error(a11y.h1 + " <h1> elements");
	if (a11y.unlabelled.length) throw new Error("unlabelled fields: " + a11y.unlabelled.join(", "));
	if (a11y.live.length) throw new Error("not aria-live: " + a11y.live.join(", "));
	ok(`${size}: one h1, every field labelled, result regions aria-live`);
}

async function confirmState(page) {
	return page.evaluate(() => ({
		disabled: document.getElementById("confirm-ok").disabled,
		focus: document.activeElement && document.activeElement.id,
	}));
}

try {
	// -- phone (360): fresh state, the mark-applied dialog with evidence
	let page = await open("phone");
	await basics(page, "360x740");
	await tooWide(page, "360x740 list");
	await page.locator(`tr[data-name="${pending[0]}"] button`, { hasText: "Mark applied" }).click();
	await page.locator("#confirm-dlg[open] #mark-findings").waitFor();
	const missing = await page.locator("#mark-findings tr[data-exists=false]").count();
	if (missing < 1) throw new Error("the evidence shows no missing object for " + pending[0]);
	let st = await confirmState(page);
	if (!st.disabled) throw new Error("mark-applied can be confirmed without the extra tick and the label");
	if (st.focus !== "confirm-cancel") throw new Error("focus starts on " + st.focus + ", not Cancel");
	await page.fill("#confirm-label", label);
	st = await confirmState(page);
	if (!st.disabled) throw new Error("missing objects, yet the label alone confirms mark-applied");
	await page.check("#confirm-gate");
	st = await confirmState(page);
	if (st.disabled) throw new Error("label typed and box ticked, still cannot confirm");
	ok(`mark-applied shows ${missing} missing object(s), focus on Cancel, needs the tick and the label`);
	await tooWide(page, "360x740 mark-applied dialog");
	await page.screenshot({ path: `${shots}/phone-360-mark-evidence.png` });
	await page.click("#confirm-cancel");
	await page.locator("#confirm-dlg[open]").waitFor({ state: "detached" }).catch(() => {});
	await page.locator(`tr[data-name="${pending[0]}"] .badge[data-state="pending"]`).waitFor();
	ok("cancelled: " + pending[0] + " still pending");
	await page.evaluate(() => scrollTo(0, 0));
	await page.screenshot({ path: `${shots}/phone-360.png`, fullPage: true });
	await page.close();

	// -- laptop: check, run with the label, check again; unmark; repair
	page = await open("laptop");
	await basics(page, "1366x900");
	await tooWide(page, "1366x900");
	// a modified file holds up every run (drift): repair it first
	await page.locator(`tr[data-name="${modified}"] button`, { hasText: "Repair" }).click();
	await page.locator("#confirm-dlg[open] #repair-evidence").waitFor();
	const added = await page.locator("#repair-diff .add").count();
	const removed = await page.locator("#repair-diff .del").count();
	if (added < 1 || removed < 1) throw new Error(`repair diff shows +${added} -${removed}`);
	ok(`repair shows the diff of the applied bytes against the file (+${added} -${removed})`);
	await page.screenshot({ path: `${shots}/laptop-1366-repair-diff.png` });
	await page.fill("#confirm-label", label);
	await page.click("#confirm-ok");
	await page.locator(`tr[data-name="${modified}"] .badge[data-state="applied"]`).waitFor();
	ok(modified + " repaired");
	await page.click("#check-btn");
	await page.locator("#check-stamp").waitFor();
	const before = await page.locator("#check-stamp").getAttribute("datetime");
	const pendingBefore = await page.locator("#check-out dd").nth(3).textContent();
	if (!pendingBefore.startsWith(String(pending.length)))
		throw new Error("check panel before the run says pending " + pendingBefore);
	await page.waitForTimeout(1100);

	await page.click("#run-btn");
	await page.locator("#confirm-dlg[open] #confirm-list").waitFor();
	const hashes = await page.locator("#confirm-list li .h").evaluateAll((s) => s.map((x) => [x.textContent, x.dataset.full]));
	if (!hashes.length || hashes.some(([t, f]) => t !== f))
		throw new Error("run dialog cuts checksums: " + JSON.stringify(hashes));
	if (!(await page.locator("#confirm-label-name").textContent()).includes(label))
		throw new Error("run dialog does not repeat the label");
	st = await confirmState(page);
	if (!st.disabled || st.focus !== "confirm-cancel")
		throw new Error("run dialog: " + JSON.stringify(st));
	await page.fill("#confirm-label", label.toUpperCase() + "x");
	if (!(await confirmState(page)).disabled) throw new Error("a wrong label confirms the run");
	await page.fill("#confirm-label", label);
	if ((await confirmState(page)).disabled) throw new Error("the right label does not enable Run");
	ok("run dialog repeats the label, lists whole checksums, needs the label typed");
	await page.screenshot({ path: `${shots}/laptop-1366-run-confirm.png` });
	await page.click("#confirm-ok");
	for (const n of pending)
		await page.locator(`tr[data-name="${n}"] .badge[data-state="applied"]`).waitFor();
	await page.waitForFunction((b) => {
		const t = document.getElementById("check-stamp");
		return t && t.getAttribute("datetime") > b;
	}, before);
	const pendingAfter = await page.locator("#check-out dd").nth(3).textContent();
	if (!pendingAfter.startsWith("0"))
		throw new Error("check panel after the run still says pending " + pendingAfter);
	ok(`check panel re-ran after the run: pending ${pendingBefore.split(" ")[0]} -> ${pendingAfter}, stamped ${await page.locator("#check-time").textContent()}`);
	if (backend === "sqlite") {
		const b = await page.locator("#run-backup code").textContent();
		if (!/reckon-backup/.test(b)) throw new Error("no backup path after the SQLite run");
		ok("backup path shown: " + b);
	}
	for (const n of pending)
		await page.locator(`#hist-table tr[data-hist="${n}"]`).waitFor();
	ok("history lists the run's files; current: " + await page.locator("#hist-current").textContent());
	ok("detection: " + (await page.locator("#det-list").textContent()).replace(/\s+/g, " ").slice(0, 120));

	// unmark the orphan with the keyboard only
	await page.locator(`tr[data-name="${orphan}"] button`, { hasText: "Unmark" }).focus();
	await page.keyboard.press("Enter");
	await page.locator("#confirm-dlg[open]").waitFor();
	st = await confirmState(page);
	if (st.focus !== "confirm-cancel") throw new Error("unmark dialog focus on " + st.focus);
	await page.keyboard.press("Shift+Tab");
	if ((await confirmState(page)).focus !== "confirm-label")
		throw new Error("Shift+Tab from Cancel does not reach the label field");
	await page.keyboard.type(label);
	await page.keyboard.press("Enter");
	await page.locator(`tr[data-name="${orphan}"]`).waitFor({ state: "detached" });
	ok("orphan " + orphan + " unmarked with the keyboard only (Enter, Shift+Tab, label, Enter)");

	await page.mouse.move(0, 0);
	await page.evaluate(() => scrollTo(0, 0));
	await page.screenshot({ path: `${shots}/laptop-1366.png`, fullPage: true });
	await page.close();

	// -- phone (390), and 360 again with a preview open
	page = await open("phone390");
	await basics(page, "390x844");
	await tooWide(page, "390x844");
	await page.screenshot({ path: `${shots}/phone-390.png`, fullPage: true });
	await page.close();
	page = await open("phone");
	await page.locator(`tr[data-name="${pending[0]}"] button`, { hasText: "Preview" }).click();
	await page.locator("#pv-code .ln").first().waitFor();
	await tooWide(page, "360x740 with a preview open");
	await page.evaluate(() => scrollTo(0, 0));
	await page.screenshot({ path: `${shots}/phone-360-after.png`, fullPage: true });
	await page.close();
	// dark mode stays: the page follows the system's scheme
	page = await open("phone", "dark");
	const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
	if (bg !== "rgb(18, 21, 27)") throw new Error("dark scheme, yet the page background is " + bg);
	await basics(page, "360x740 dark");
	await tooWide(page, "360x740 dark");
	await page.screenshot({ path: `${shots}/phone-360-dark.png`, fullPage: true });
	ok("dark mode: background " + bg);
	await page.close();
	if (problems.length) throw new Error(problems.join("; "));
	ok("no page or console errors");
} catch (e) {
	console.log("not ok - " + e.message);
	process.exitCode = 1;
} finally {
	await browser.close();
}
