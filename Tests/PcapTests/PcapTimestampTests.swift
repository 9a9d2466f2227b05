import Glibc
import Testing
@testable import Pcap

@Suite struct PcapTimestampTests {
    @Test func descriptionHasNineFractionDigits() {
        #expect(PcapTimestamp(seconds: 1_700_000_000, nanoseconds: 123_456_789).description == "1700000000.123456789")
        #expect(PcapTimestamp(seconds: 1_700_000_001, nanoseconds: 1).description == "1700000001.000000001")
        #expect(PcapTimestamp(seconds: 0, nanoseconds: 0).description == "0.000000000")
    }

    @Test func excessNanosecondsCarryIntoSeconds() {
        let timestamp = PcapTimestamp(seconds: 10, nanoseconds: 2_500_000_000)
        #expect(timestamp.seconds == 12)
        #expect(timestamp.nanoseconds == 500_000_000)
        #expect(PcapTimestamp(seconds: 10, microseconds: 1_000_001) == PcapTimestamp(seconds: 11, nanoseconds: 1_000))
    }

    @Test func ordersBySecondsThenNanoseconds() {
        let early = PcapTimestamp(seconds: 5, nanoseconds: 999_999_999)
        let late = PcapTimestamp(seconds: 6, nanoseconds: 0)
        #expect(early < late)
        #expect(PcapTimestamp(seconds: 6, nanoseconds: 1) > late)
        #expect([late, early].sorted() == [early, late])
    }

    @Test func headerTimesConvertAtEitherPrecision() {
        let timestamp = PcapTimestamp(seconds: 1_700_000_000, nanoseconds: 123_456_789)
        let micro = timestamp.pcapTime(precision: .microseconds)
        #expect(micro.tv_sec == 1_700_000_000 && micro.tv_usec == 123_456)
        let nano = timestamp.pcapTime(precision: .nanoseconds)
        #expect(nano.tv_usec == 123_456_789)
        #expect(PcapTimestamp(nano, precision: .nanoseconds) == timestamp)
        #expect(PcapTimestamp(micro, precision: .microseconds) == PcapTimestamp(seconds: 1_700_000_000, nanoseconds: 123_456_000))
    }

    /// A corrupt file can hold any sub-second field; conversion must carry, not trap.
    @Test func outOfRangeHeaderFractionsDoNotTrap() {
        let big = PcapTimestamp(timeval(tv_sec: 1, tv_usec: 4_294_967_295), precision: .microseconds)
        #expect(big == PcapTimestamp(seconds: 1 + 4_294, nanoseconds: 967_295_000))
        let negative = PcapTimestamp(timeval(tv_sec: 10, tv_usec: -1), precision: .nanoseconds)
        #expect(negative == PcapTimestamp(seconds: 9, nanoseconds: 999_999_999))
    }

    @Test func nowIsRecent() {
        #expect(PcapTimestamp.now.seconds > 1_700_000_000)
    }
}
