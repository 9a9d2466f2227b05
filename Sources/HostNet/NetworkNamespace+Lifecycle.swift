import Glibc

extension NetworkNamespace {
    /// Creates a named namespace step for step as `ip netns add NAME` does (iproute2
    /// ip/ipnetns.c, netns_add), so iproute2 and this type agree on what exists.
    public static func create(named name: String) throws(HostNetError) -> NetworkNamespace {
        let operation = "create namespace"
        try validate(name, operation)
        try prepareDirectory(operation, name)

        // O_EXCL makes an existing name fail here, before anything is unshared or mounted.
        let path = path(of: name)
        let placeholder = try SystemCalls.open(
            path, flags: O_RDONLY | O_CREAT | O_EXCL, mode: 0, operation: operation, subject: name)
        SystemCalls.close(placeholder)

        do {
            try DedicatedThread.run(operation, name) { () throws(HostNetError) in
                try SystemCalls.unshareNetworkNamespace(operation: operation, subject: name)
                // /proc/self would name the thread-group leader's namespace, which is still the
                // old one: only this thread was unshared.
                if let code = SystemCalls.mount(
                    source: "/proc/thread-self/ns/net", target: path, flags: UInt(MS_BIND)) {
                    throw .system(operation, name, errno: code)
                }
            }.get()
        } catch {
            _ = SystemCalls.unmount(path, flags: Int32(MNT_DETACH))
            try? SystemCalls.unlink(path, operation: operation, subject: name)
            throw error
        }
        return try open(named: name)
    }

    /// Removes a named namespace as `ip netns del NAME` does: a lazy unmount, so processes
    /// still inside keep it alive, then removal of the mount point file.
    public static func delete(named name: String) throws(HostNetError) {
        let operation = "delete namespace"
        try validate(name, operation)
        let path = path(of: name)
        if let code = SystemCalls.unmount(path, flags: Int32(MNT_DETACH)),
           code != EINVAL, code != ENOENT {
            throw .system(operation, name, errno: code)
        }
        try SystemCalls.unlink(path, operation: operation, subject: name)
    }

    /// Makes `/run/netns` exist and be a shared mount point, so a later unmount of a namespace
    /// file propagates to every mount namespace and the namespace can actually be freed.
    private static func prepareDirectory(_ operation: String, _ name: String) throws(HostNetError) {
        try SystemCalls.makeDirectory(
            directory, mode: S_IRWXU | S_IRGRP | S_IXGRP | S_IROTH | S_IXOTH,
            operation: operation, subject: name)
        var madeMountPoint = false
        while let code = SystemCalls.mount(
            source: "", target: directory, flags: UInt(MS_SHARED | MS_REC)) {
            // EINVAL: not a mount point yet. Bind it onto itself once, then try again.
            guard code == EINVAL, !madeMountPoint else {
                throw HostNetError(operation, name, "make \(directory) shared: \(String(cString: strerror(code)))")
            }
            if let code = SystemCalls.mount(
                source: directory, target: directory, flags: UInt(MS_BIND | MS_REC)) {
                throw HostNetError(operation, name, "bind \(directory) onto itself: \(String(cString: strerror(code)))")
            }
            madeMountPoint = true
        }
    }
}
