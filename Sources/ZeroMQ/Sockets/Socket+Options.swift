internal import CZeroMQ

extension ZMQSocket {
    func apply(_ options: SocketOptions) throws(ZMQError) {
        try set(ZMQ_LINGER, options.lingerMs)
        try set(ZMQ_MAXMSGSIZE, options.maxMessageSize)
        try set(ZMQ_SNDHWM, options.sendHighWaterMark)
        try set(ZMQ_RCVHWM, options.receiveHighWaterMark)
        if options.kernelBufferBytes > 0 {
            try set(ZMQ_SNDBUF, options.kernelBufferBytes)
            try set(ZMQ_RCVBUF, options.kernelBufferBytes)
        }
        try set(ZMQ_HANDSHAKE_IVL, options.handshakeIntervalMs)
        try set(ZMQ_RECONNECT_IVL, options.reconnectIntervalMs)
        try set(ZMQ_RECONNECT_IVL_MAX, options.reconnectIntervalMaxMs)
        try set(ZMQ_HEARTBEAT_IVL, options.heartbeatIntervalMs)
        try set(ZMQ_HEARTBEAT_TIMEOUT, options.heartbeatTimeoutMs)
        try set(ZMQ_HEARTBEAT_TTL, options.heartbeatTTLMs)
        try set(ZMQ_IPV6, Int32(options.ipv6 ? 1 : 0))
        if type == .router, options.routerMandatory { try set(ZMQ_ROUTER_MANDATORY, Int32(1)) }
        if !options.routingID.isEmpty { try setBytes(ZMQ_ROUTING_ID, options.routingID) }
        if type == .xpub, options.manualSubscriptions { try set(ZMQ_XPUB_MANUAL, Int32(1)) }
        switch options.curve {
        case .server(let secretKey)?:
            try set(ZMQ_CURVE_SERVER, Int32(1))
            try setBytes(ZMQ_CURVE_SECRETKEY, Array(secretKey.utf8))
        case .client(let serverKey, let publicKey, let secretKey)?:
            try setBytes(ZMQ_CURVE_SERVERKEY, Array(serverKey.utf8))
            try setBytes(ZMQ_CURVE_PUBLICKEY, Array(publicKey.utf8))
            try setBytes(ZMQ_CURVE_SECRETKEY, Array(secretKey.utf8))
        case nil:
            break
        }
        if !options.zapDomain.isEmpty { try setBytes(ZMQ_ZAP_DOMAIN, Array(options.zapDomain.utf8)) }
        // Subscribing last: a SUB sends its subscriptions once connected, with the options above.
        if type == .sub {
            for prefix in options.subscriptions { try setBytes(ZMQ_SUBSCRIBE, prefix) }
        }
    }

    func set(_ option: Int32, _ value: Int32) throws(ZMQError) {
        var value = value
        guard zmq_setsockopt(pollHandle, option, &value, MemoryLayout<Int32>.size) == 0 else {
            throw .last("zmq_setsockopt(\(option))")
        }
    }

    func set(_ option: Int32, _ value: Int64) throws(ZMQError) {
        var value = value
        guard zmq_setsockopt(pollHandle, option, &value, MemoryLayout<Int64>.size) == 0 else {
            throw .last("zmq_setsockopt(\(option))")
        }
    }

    func setBytes(_ option: Int32, _ bytes: [UInt8]) throws(ZMQError) {
        let status = bytes.withUnsafeBytes { zmq_setsockopt(pollHandle, option, $0.baseAddress, $0.count) }
        guard status == 0 else { throw .last("zmq_setsockopt(\(option))") }
    }
}
