/** Where GraphQL answers: yoga's endpoint and the HTTP routes in front of it. */
export const GRAPHQL_PATH = '/graphql'
