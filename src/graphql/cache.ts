/**
 * A small LRU for yoga's parse and validation caches. Yoga's default keeps 1,024 entries of any size, so
 * distinct megabyte-long documents could pin a gigabyte; documents longer than `maxKeyLength` are not kept.
 */
export function boundedCache<V>(maxEntries: number, maxKeyLength: number) {
  const entries = new Map<string, V>()
  return {
    get(key: string): V | undefined {
      const value = entries.get(key)
      if (value !== undefined) {
        entries.delete(key)
        entries.set(key, value)
      }
      return value
    },
    set(key: string, value: V): void {
      if (key.length > maxKeyLength) return
      entries.delete(key)
      entries.set(key, value)
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!)
    },
  }
}
