// Bundled by bundleCache.test.ts: the smallest workflow module the bundler accepts.
export async function bundleCacheProbe(): Promise<string> {
  return 'bundle-cache-probe';
}
