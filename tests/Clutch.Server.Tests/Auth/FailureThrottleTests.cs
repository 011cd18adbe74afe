using System.Net;
using Clutch.Auth;

namespace Clutch.Server.Tests.Auth;

public sealed class FailureThrottleTests
{
    private static readonly IPAddress Nat = IPAddress.Parse("203.0.113.7");
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(60);
    private readonly ManualClock _clock = new();

    private FailureThrottle Throttle(int userLimit = 3, int addressLimit = 10) => new(userLimit, addressLimit, Window, _clock);

    [Fact]
    public void A_user_name_is_held_after_its_limit_of_failures_from_one_address()
    {
        var throttle = Throttle();
        for (var i = 0; i < 2; i++)
        {
            throttle.RecordFailure(Nat, "alice");
        }

        Assert.False(throttle.IsThrottled(Nat, "alice", out _));
        throttle.RecordFailure(Nat, "alice");

        Assert.True(throttle.IsThrottled(Nat, "alice", out var verdict));
        Assert.Equal("alice", verdict.User);
        Assert.Equal(60, verdict.RetryAfterSeconds);
    }

    [Fact]
    public void Failures_for_one_user_name_do_not_hold_another_from_the_same_address()
    {
        var throttle = Throttle();
        for (var i = 0; i < 9; i++)
        {
            throttle.RecordFailure(Nat, "alice");
        }

        Assert.True(throttle.IsThrottled(Nat, "alice", out _));
        Assert.False(throttle.IsThrottled(Nat, "bob", out _));
        Assert.False(throttle.IsThrottled(IPAddress.Parse("203.0.113.8"), "alice", out _));
    }

    [Fact]
    public void Failures_over_many_user_names_hold_the_whole_address_at_its_cap()
    {
        var throttle = Throttle(userLimit: 3, addressLimit: 10);
        for (var i = 0; i < 9; i++)
        {
            throttle.RecordFailure(Nat, "user" + i);
        }

        Assert.False(throttle.IsThrottled(Nat, "carol", out _));
        throttle.RecordFailure(Nat, "user9");

        Assert.True(throttle.IsThrottled(Nat, "carol", out var verdict));
        Assert.Null(verdict.User);
        Assert.Equal("Too many failed logins from this address; retry in 60 s.", verdict.Message);
    }

    [Fact]
    public void The_hold_ends_when_the_window_has_passed_and_the_wait_counts_down()
    {
        var throttle = Throttle();
        for (var i = 0; i < 3; i++)
        {
            throttle.RecordFailure(Nat, "alice");
        }

        _clock.Advance(TimeSpan.FromSeconds(18.5));
        Assert.True(throttle.IsThrottled(Nat, "alice", out var verdict));
        Assert.Equal("Too many failed logins for 'alice' from this address; retry in 42 s.", verdict.Message);

        _clock.Advance(TimeSpan.FromSeconds(41.5));
        Assert.False(throttle.IsThrottled(Nat, "alice", out _));
    }

    [Fact]
    public void A_correct_password_clears_that_users_failures_only()
    {
        var throttle = Throttle();
        throttle.RecordFailure(Nat, "alice");
        throttle.RecordFailure(Nat, "alice");
        throttle.RecordFailure(Nat, "bob");
        throttle.RecordFailure(Nat, "bob");

        throttle.RecordSuccess(Nat, "alice");
        throttle.RecordFailure(Nat, "alice");
        throttle.RecordFailure(Nat, "bob");

        Assert.False(throttle.IsThrottled(Nat, "alice", out _));
        Assert.True(throttle.IsThrottled(Nat, "bob", out _));
    }

    [Fact]
    public void The_message_keeps_a_hostile_user_name_to_one_short_line()
    {
        var throttle = Throttle(userLimit: 1);
        var name = "evil\r\nX-Injected: 1" + new string('x', 200);
        throttle.RecordFailure(Nat, name);

        Assert.True(throttle.IsThrottled(Nat, name, out var verdict));
        Assert.DoesNotContain('\n', verdict.Message);
        Assert.DoesNotContain('\r', verdict.Message);
        Assert.True(verdict.Message.Length < 160, verdict.Message);
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
