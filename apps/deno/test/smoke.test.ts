import { smokeSuite } from '@mcpwire/app-shared/testing'

smokeSuite('deno')
