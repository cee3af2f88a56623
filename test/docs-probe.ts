export function undocumented_probe(): number {
  return 1;
}
