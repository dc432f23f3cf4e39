/** Plain-text tables as podman prints them: left-aligned columns, three spaces apart (`images`: two). */
export function formatTable(rows: readonly (readonly string[])[], gap = 3): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  const separator = ' '.repeat(gap);
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join(separator)).join('\n');
}

/** "3 seconds", "5 minutes", as podman's ps says how long ago. */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const units: readonly [number, string][] = [[86400, 'day'], [3600, 'hour'], [60, 'minute'], [1, 'second']];
  for (const [size, name] of units) {
    if (seconds >= size || size === 1) {
      const n = Math.floor(seconds / size);
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return '0 seconds';
}
