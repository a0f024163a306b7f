/** The shared market data lives beside the repository: /work/shared/data when the repo is /work/<worktree>. */
export function dataUrl(path: string): URL {
  return new URL(`../../../../shared/data/${path}`, import.meta.url);
}
