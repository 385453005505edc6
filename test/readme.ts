/** The README, and the examples in it that tests replay: every one of them must stay true. */
export const README_PATH = new URL('../README.md', import.meta.url).pathname
export const readme = await Bun.file(README_PATH).text()

/** The GraphQL operations the README shows: curl's `-d '{"query": ...}'` bodies and HTTPie's `query='...'`. */
export function readmeOperations(text = readme): string[] {
  const fromCurl = [...text.matchAll(/-d '(\{"query".*?\})'/g)].map(([, body]) => JSON.parse(body!).query as string)
  const fromHttpie = [...text.matchAll(/^\$ http .*\/graphql .*query='([^']+)'/gm)].map(([, query]) => query!)
  return [...fromCurl, ...fromHttpie]
}
