import { afterAll, afterEach, beforeEach } from 'bun:test'
import { ON_POSTGRES, trackTests } from './postgres'

// Under TEST_ENGINE=postgres the databases testApp opens are closed and dropped once their test (or file) ends.
if (ON_POSTGRES) trackTests({ beforeEach, afterEach, afterAll })
