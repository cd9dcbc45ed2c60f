import Testing

@testable import AILBEval

@Suite struct LoopbackHostTests {
    @Test(arguments: [
        "localhost", "LocalHost", "localhost.", "127.0.0.1", "127.255.255.254", "127.0.0.0", "::1", "[::1]",
        "0:0:0:0:0:0:0:1", "0000::0001", "::1%lo0",
    ])
    func loopbackHosts(host: String) {
        #expect(LoopbackHost.isLoopback(host))
    }

    @Test(arguments: [
        "", "gpu.local", "localhost.localdomain", "my-localhost", "128.0.0.1", "10.127.0.1", "127.0.0", "127.0.0.1.5",
        "127.0.0.256", "127.+1.0.1", "::", "::2", "1::1", "::1:0", "0:0:0:0:0:0:0:0:1", ":::1", "::ffff:127.0.0.1",
    ])
    func otherHosts(host: String) {
        #expect(!LoopbackHost.isLoopback(host))
    }
}
