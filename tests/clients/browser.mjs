// One way to start Debian's headless Chromium for the client tests, with the
// flags this closed-network machine needs (no background networking, no
// first-run; playwright gives every launch a fresh temporary profile), and to collect a page's console errors.
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

/** Launches headless Chromium; close it with `await browser.close()`. */
export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** Opens a new page whose console errors and page errors are gathered in `errors`. */
export async function openPage(browser) {
  const page = await browser.newPage();
  const errors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  page.on('pageerror', (err) => errors.push(String(err)));
  return { page, errors };
}
