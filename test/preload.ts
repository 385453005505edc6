import { afterEach } from 'bun:test'
import { ON_POSTGRES, closeOpened } from './postgres'

// Under TEST_ENGINE=postgres every test's databases are closed and dropped once it ends.
if (ON_POSTGRES) afterEach(closeOpened)
