/** Placeholder while the toolchain is verified. */
export function encode(data: string): string {
  return `data: ${data}\n\n`
}
