// Drives a real Chromium with Playwright: every function below is sent to the page as its source
// text. Compiled, each `await` in them would name `__otelCtx`, which the page does not have; they
// must reach the page exactly as written. The driver's own awaits are rewritten as usual.
// (The harness comes by its absolute URL: each backend writes its output somewhere else.)
const { launchChromium } = await import(process.env.OTEL_TEST_CHROMIUM_HARNESS!);

const browser = await launchChromium();
const results: unknown[] = [];
try {
  const page = await browser.newPage();
  await page.setContent('<title>serialized</title><p id="x">text</p><p>two</p>');
  results.push(
    await page.evaluate(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return document.title;
    }),
  );
  results.push(await page.evaluate(async (n: number) => (await Promise.resolve(n)) + 1, 1));
  results.push(await page.evaluateHandle(async () => ({ ok: await Promise.resolve(true) })).then((h) => h.jsonValue()));
  results.push(await page.$eval('#x', async (el) => (await Promise.resolve(el)).textContent));
  results.push(await page.$$eval('p', async (els) => (await Promise.all(els.map(async (el) => el.textContent))).join()));
  results.push(
    await page.locator('#x').evaluate(async function (el) {
      await null;
      return el.id;
    }),
  );
  results.push(await page.locator('p').evaluateAll(async (els) => (await Promise.resolve(els)).length));
  results.push(await (await page.waitForFunction(async () => (await Promise.resolve(document.title)) === 'serialized')).jsonValue());
  // Passed by name: the declaration below is sent as written too.
  results.push(await page.evaluate(titleAfterATimer));
  await page.addInitScript(async () => {
    await null;
    (window as unknown as { initRan: boolean }).initRan = true;
  });
  await page.reload();
  results.push(await page.evaluate(() => (window as unknown as { initRan?: boolean }).initRan));
} finally {
  await browser.close();
}
console.log(JSON.stringify(results));

async function titleAfterATimer(): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, 1));
  return document.title;
}
export {};
