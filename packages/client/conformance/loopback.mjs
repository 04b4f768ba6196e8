// Preloaded into the conformance runner: its mock servers listen on every interface; bind them to
// 127.0.0.1 instead, so nothing of the test is reachable from outside the machine. Some mocks read
// server.address() right after listen(0), before a host lookup could finish, so the port is
// picked here and reported until the socket is bound.
//
// The picks stay out of the kernel's range for listen(0) (ip_local_port_range), so a test running
// beside this one that asks for a free port can never be handed ours. A pick that is taken all the
// same (two runners side by side) is replaced by the next one, as long as no mock has read the
// picked port yet; otherwise the mock gets the EADDRINUSE error, and scripts/conformance.mjs runs
// the scenario again. MCPWIRE_LOOPBACK_PORTS=<first>-<last> sets the range (used to prove this).
import { readFileSync } from 'node:fs'
import net from 'node:net'

const listen = net.Server.prototype.listen
const address = net.Server.prototype.address

/** @returns {[number, number]} The first and last port to pick from. */
function portRange() {
  const given = /^(\d+)-(\d+)$/.exec(process.env.MCPWIRE_LOOPBACK_PORTS ?? '')
  if (given !== null) return [Number(given[1]), Number(given[2])]
  let kernel = [32768, 60999]
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number)
    if (Number.isInteger(low) && Number.isInteger(high)) kernel = [low, high]
  } catch {
    // Not Linux: keep the Linux default.
  }
  const [low, high] = kernel
  if (low - 2000 >= 10000) return [Math.max(10000, low - 10000), low - 1]
  if (high + 2000 <= 65535) return [high + 1, 65535]
  return [42000, 42999]
}

const [first, last] = portRange()
const size = last - first + 1
let next = Math.floor(Math.random() * size)
const pick = () => first + (next++ % size)

net.Server.prototype.listen = function (...args) {
  const callback = typeof args[args.length - 1] === 'function' ? args.pop() : undefined
  const port = args[0]
  if (!((port === 0 || port === undefined) && args.length <= 1)) {
    return listen.apply(this, callback === undefined ? args : [...args, callback])
  }
  let chosen = pick()
  let revealed = false
  let retries = Math.min(size - 1, 20)
  this.address = function () {
    const bound = address.call(this)
    if (bound !== null) return bound
    revealed = true
    return { address: '127.0.0.1', family: 'IPv4', port: chosen }
  }
  const emit = this.emit
  this.emit = function (event, ...rest) {
    if (event === 'listening') this.emit = emit
    if (event === 'error' && rest[0]?.code === 'EADDRINUSE' && !revealed && retries-- > 0) {
      const taken = chosen
      chosen = pick()
      process.stderr.write(`loopback: 127.0.0.1:${taken} is taken, listening on ${chosen}\n`)
      listen.call(this, chosen, '127.0.0.1')
      return true
    }
    return emit.call(this, event, ...rest)
  }
  return listen.call(this, chosen, '127.0.0.1', callback)
}
