import { clusterSuite } from '@mcpwire/app-shared/testing'

clusterSuite('bun')
