/** File path → file: URL (node:url's pathToFileURL, as a string). */
import { pathToFileURL } from "node:url";

export function toFileUrl(path: string): string {
  return pathToFileURL(path).href;
}
