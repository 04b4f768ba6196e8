/**
 * Polls every 5 ms until `check` holds or `timeoutMs` has passed. It asserts nothing: the caller
 * checks what it needs afterwards.
 */
export async function waitFor(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
