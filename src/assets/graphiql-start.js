// Starts GraphiQL from the options its page carries as JSON. A file rather than an inline script, so that the
// page's Content-Security-Policy allows scripts from madblog's own origin only. Loaded before graphiql.js:
// Monaco reads its environment as it loads.
const { workers, options } = JSON.parse(document.getElementById('graphiql-options').textContent)
self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: (_, label) => workers[label] }
document.addEventListener('DOMContentLoaded', () => {
  // This GraphiQL build opens on `query`, which would override a ?query= link: the default only when there is none.
  if (!new URLSearchParams(location.search).has('query')) options.query = options.defaultQuery
  YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), options)
})
