// Preloaded into the conformance runner: its mock servers listen on every interface; bind them to
// 127.0.0.1 instead, so nothing of the test is reachable from outside the machine. Some mocks read
// server.address() right after listen(0), before a host lookup could finish, so the port is
// picked here (from 42000-42999) and reported until the socket is bound.
import net from 'node:net'

const listen = net.Server.prototype.listen
const address = net.Server.prototype.address
let next = 42000 + Math.floor(Math.random() * 1000)

net.Server.prototype.listen = function (...args) {
  const callback = typeof args[args.length - 1] === 'function' ? args.pop() : undefined
  const port = args[0]
  if (!((port === 0 || port === undefined) && args.length <= 1)) {
    return listen.apply(this, callback === undefined ? args : [...args, callback])
  }
  const chosen = 42000 + (next++ % 1000)
  this.address = function () {
    return address.call(this) ?? { address: '127.0.0.1', family: 'IPv4', port: chosen }
  }
  return listen.call(this, chosen, '127.0.0.1', callback)
}
