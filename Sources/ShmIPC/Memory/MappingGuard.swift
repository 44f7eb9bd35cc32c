import Glibc
import Synchronization

/// Keeps a peer that shrinks a shared file under our mapping from killing the process.
///
/// Touching a page of a `MAP_SHARED` mapping past the end of its file raises SIGBUS, and a peer can truncate
/// a v2 file or a memfd created without seals at any time. Mappings a peer can shrink are registered here; a
/// SIGBUS inside one replaces the whole mapping with private zero pages (the access then succeeds) and marks it
/// faulted, so its session ends with `SHMIPC_BAD_MAPPING`. Faults anywhere else go to the handler that was
/// installed before ours.
enum MappingGuard {
    static let capacity = 4096

    /// Per slot: base address, length, faulted flag; claimed through the length (0 = free). Fixed memory, so
    /// the signal handler reads it without locks or allocation.
    nonisolated(unsafe) static let slots: UnsafeMutablePointer<Atomic<UInt>> = {
        let slots = UnsafeMutablePointer<Atomic<UInt>>.allocate(capacity: 3 * capacity)
        for index in 0..<(3 * capacity) { (slots + index).initialize(to: Atomic(0)) }
        return slots
    }()

    private static let installed = Mutex<Bool>(false)
    nonisolated(unsafe) static var previousAction = sigaction()

    /// Guards `count` bytes at `base`; returns the slot, or nil when every slot is taken.
    static func register(base: UnsafeMutableRawPointer, count: Int) -> Int? {
        installHandler()
        for slot in 0..<capacity {
            if slots[3 * slot + 1].compareExchange(
                expected: 0, desired: UInt(count), ordering: .acquiringAndReleasing
            ).exchanged {
                slots[3 * slot + 2].store(0, ordering: .relaxed)
                slots[3 * slot].store(UInt(bitPattern: base), ordering: .releasing)
                return slot
            }
        }
        return nil
    }

    /// Stops guarding a slot (before its mapping goes away).
    static func unregister(_ slot: Int) {
        slots[3 * slot].store(0, ordering: .releasing)
        slots[3 * slot + 2].store(0, ordering: .relaxed)
        slots[3 * slot + 1].store(0, ordering: .releasing)
    }

    /// Whether the peer shrank the file under the mapping of `slot` (it now holds zeros).
    static func hasFaulted(_ slot: Int) -> Bool { slots[3 * slot + 2].load(ordering: .acquiring) != 0 }

    private static func installHandler() {
        installed.withLock { installed in
            guard !installed else { return }
            installed = true
            _ = slots
            var action = sigaction()
            action.__sigaction_handler.sa_sigaction = mappingGuardSignalHandler
            action.sa_flags = SA_SIGINFO | SA_NODEFER | Int32(SA_ONSTACK)
            sigemptyset(&action.sa_mask)
            sigaction(SIGBUS, &action, &previousAction)
        }
    }

    /// The signal handler's work: true if `address` lies in a guarded mapping, which is then replaced.
    static func absorbFault(at address: UInt) -> Bool {
        for slot in 0..<capacity {
            let base = slots[3 * slot].load(ordering: .acquiring)
            let length = slots[3 * slot + 1].load(ordering: .acquiring)
            guard base != 0, address >= base, address - base < length else { continue }
            _ = mmap(
                UnsafeMutableRawPointer(bitPattern: base), Int(length), PROT_READ | PROT_WRITE,
                MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            slots[3 * slot + 2].store(1, ordering: .releasing)
            return true
        }
        return false
    }
}

/// SIGBUS: absorb faults in guarded mappings; otherwise put the previous handler back so that the faulting
/// access, repeated on return, reaches it (a SIGBUS sent by another process is raised again).
private let mappingGuardSignalHandler: @convention(c) (Int32, UnsafeMutablePointer<siginfo_t>?, UnsafeMutableRawPointer?)
    -> Void = { signal, info, _ in
        guard let info else { return }
        let address = UInt(bitPattern: info.pointee._sifields._sigfault.si_addr)
        if info.pointee.si_code > 0, MappingGuard.absorbFault(at: address) { return }
        sigaction(SIGBUS, &MappingGuard.previousAction, nil)
        if info.pointee.si_code <= 0 { raise(signal) }
    }
