/**
 * Scraping the HTTP endpoint as Prometheus does: one GET of /metrics at a time, timed from the
 * request to the last byte of the body.
 */
import { median, percentile } from "./stats.ts";

export interface Scrape {
  ms: number;
  bytes: number;
}

/** GETs `url` and reads the whole body; throws unless the answer is 200. */
export async function timedGet(url: string): Promise<Scrape> {
  const started = performance.now();
  const response = await fetch(url);
  const body = await response.arrayBuffer();
  const ms = performance.now() - started;
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
  return { ms, bytes: body.byteLength };
}

/** Scrapes `url` every `intervalMs` (as a Prometheus scrape interval) until stopped. */
export function scrapeEvery(url: string, intervalMs: number): () => Promise<Scrape[]> {
  const scrapes: Scrape[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const scrape = await timedGet(url);
      scrapes.push(scrape);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - scrape.ms)));
    }
  })();
  return async () => {
    running = false;
    await loop;
    return scrapes;
  };
}

/** "n scrapes, median x ms, p99 y ms, max z ms, b bytes". */
export function describeScrapes(scrapes: readonly Scrape[]): string {
  const ms = scrapes.map((s) => s.ms);
  return `${scrapes.length} scrapes, median ${median(ms).toFixed(2)} ms, ` +
    `p99 ${percentile(ms.sort((a, b) => a - b), 0.99).toFixed(2)} ms, max ${
      Math.max(...ms).toFixed(2)
    } ms, ` +
    `${scrapes.at(-1)?.bytes ?? 0} bytes`;
}
