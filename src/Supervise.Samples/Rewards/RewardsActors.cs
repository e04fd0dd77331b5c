using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Supervise.Samples.Common;

namespace Supervise.Samples.Rewards;

/// <summary>How a redemption ended, as its customer saw it.</summary>
internal enum RedeemAnswer
{
    Waiting,
    Confirmed,
    SoldOut,
}

/// <summary>One customer's request for a perk; the redemption answers <paramref name="Front"/>.</summary>
internal sealed record RedeemRequest(int Id, string Perk, ChildAddress Inventory, ChildAddress Recommendations, IActorRef Front, long SentAt);

internal sealed record Reserve(int RedemptionId, string Perk);

internal sealed record Reserved(int RedemptionId, bool Granted);

internal sealed record Recommend(string Perk);

internal sealed record Recommendation(string Source, string Text);

internal sealed record Answered(int RedemptionId, RedeemAnswer Answer, string RecommendationSource, long SentAt);

/// <summary>
/// The stock, as a database would keep it: outside any actor, so a crash loses nothing, and idempotent by
/// redemption id, so a redemption that starts over after a crash gets the same answer again.
/// </summary>
internal sealed class PerkStore(IReadOnlyDictionary<string, int> stock)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, int> _left = new(stock);
    private readonly Dictionary<int, bool> _decided = [];

    public bool Reserve(int redemptionId, string perk)
    {
        lock (_gate)
        {
            if (_decided.TryGetValue(redemptionId, out var granted))
            {
                return granted;
            }

            granted = _left[perk] > 0;
            if (granted)
            {
                _left[perk]--;
            }

            _decided[redemptionId] = granted;
            return granted;
        }
    }

    public int Sold(string perk)
    {
        lock (_gate)
        {
            return stock[perk] - _left[perk];
        }
    }

    public HashSet<int> Reserved()
    {
        lock (_gate)
        {
            return _decided.Where(d => d.Value).Select(d => d.Key).ToHashSet();
        }
    }
}

/// <summary>The inventory's front: reserves in the store.</summary>
internal sealed class Inventory : ReceiveActor
{
    public Inventory(PerkStore store) => Receive<Reserve>(r => Sender.Tell(new Reserved(r.RedemptionId, store.Reserve(r.RedemptionId, r.Perk))));
}

/// <summary>Recommends other perks: "personal" ones normally; the fallback stand-in recommends "popular" ones.</summary>
internal sealed class Recommendations : ReceiveActor
{
    public Recommendations(string source) => Receive<Recommend>(r => Sender.Tell(new Recommendation(source, $"with {r.Perk}, customers also liked: cinema-duo")));
}

/// <summary>
/// One redemption: reserves the perk, asks for a recommendation (a short wait; none is fine), and answers
/// the customer. A crash restarts it (Transient), and it starts over: the store gives the same reservation.
/// </summary>
internal sealed class Redemption : ReceiveActor, IWithTimers
{
    private readonly RedeemRequest _request;

    public Redemption(RedeemRequest request)
    {
        _request = request;
        Receive<TryReserve>(_ => _request.Inventory.AskAsync<Reserved>(new Reserve(_request.Id, _request.Perk), TimeSpan.FromSeconds(3))
            .PipeTo(Self, failure: _ => TryReserve.Instance)); // not answered (it was restarting past its buffer): try again
        Receive<Reserved>(reserved =>
        {
            if (!reserved.Granted)
            {
                Finish(RedeemAnswer.SoldOut, "none");
                return;
            }

            // The bank's checks on the customer take a moment: redemptions overlap, in waves.
            Timers.StartSingleTimer(Checked.Instance, Checked.Instance, TimeSpan.FromMilliseconds(150));
        });
        Receive<Checked>(_ => _request.Recommendations.AskAsync<Recommendation>(new Recommend(_request.Perk), TimeSpan.FromMilliseconds(300))
            .PipeTo(Self, failure: _ => new Recommendation("none", "")));
        Receive<Recommendation>(r => Finish(RedeemAnswer.Confirmed, r.Source));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Self.Tell(TryReserve.Instance);

    private void Finish(RedeemAnswer answer, string recommendation)
    {
        _request.Front.Tell(new Answered(_request.Id, answer, recommendation, _request.SentAt));
        Context.Stop(Self);
    }

    private sealed class TryReserve
    {
        public static readonly TryReserve Instance = new();
    }

    private sealed class Checked
    {
        public static readonly Checked Instance = new();
    }
}

/// <summary>Where customers get their answers: records each, with its latency and the recommendation's source.</summary>
internal sealed class Front : ReceiveActor
{
    public Front(CustomerAnswers answers, LoadMeter load, RecommendationCounts counts) => Receive<Answered>(a =>
    {
        // The first answer counts; a redemption that crashed after answering starts over and must answer the same again.
        if (answers.Answer(a.RedemptionId, a.Answer))
        {
            load.Record(Stopwatch.GetElapsedTime(a.SentAt));
            counts.Add(a.RecommendationSource);
        }
    });
}

/// <summary>What each customer asked for and was told, as the customers saw it; thread-safe.</summary>
internal sealed class CustomerAnswers
{
    private readonly ConcurrentDictionary<int, (string Perk, RedeemAnswer Answer)> _answers = new();
    private readonly ConcurrentDictionary<int, string> _notStarted = new();
    private readonly ConcurrentDictionary<int, RedeemAnswer> _contradicted = new();

    public void Sent(int id, string perk) => _answers[id] = (perk, RedeemAnswer.Waiting);

    /// <summary>Records an answer; true when it is the first. A later answer that differs is a contradiction.</summary>
    public bool Answer(int id, RedeemAnswer answer)
    {
        if (!_answers.TryGetValue(id, out var current))
        {
            _contradicted[id] = answer; // an answer to a request never sent
            return false;
        }

        if (current.Answer == RedeemAnswer.Waiting && _answers.TryUpdate(id, (current.Perk, answer), current))
        {
            return true;
        }

        if (_answers[id].Answer != answer)
        {
            _contradicted[id] = answer;
        }

        return false;
    }

    /// <summary>The redemptions supervisor did not start this redemption (its answer says why).</summary>
    public void NotStarted(int id, string why) => _notStarted[id] = why;

    /// <summary>Every request is answered, or was refused a start.</summary>
    public bool Settled => _answers.All(a => a.Value.Answer != RedeemAnswer.Waiting || _notStarted.ContainsKey(a.Key));

    public IReadOnlyList<(int Id, string Perk, RedeemAnswer Answer)> All() => _answers.OrderBy(a => a.Key).Select(a => (a.Key, a.Value.Perk, a.Value.Answer)).ToList();

    public IReadOnlyDictionary<int, string> NotStartedWhy => _notStarted;

    /// <summary>Redemptions whose customer was told one thing, then another (or told something never asked).</summary>
    public IReadOnlyCollection<int> Contradicted => [.. _contradicted.Keys];
}

/// <summary>Which recommendations customers were shown: personal, popular (the fallback), or none.</summary>
internal sealed class RecommendationCounts
{
    private long _personal;
    private long _popular;
    private long _none;

    public void Add(string source)
    {
        switch (source)
        {
            case "personal":
                Interlocked.Increment(ref _personal);
                break;
            case "popular":
                Interlocked.Increment(ref _popular);
                break;
            default:
                Interlocked.Increment(ref _none);
                break;
        }
    }

    public override string ToString() => $"personal {Interlocked.Read(ref _personal)}, popular (fallback) {Interlocked.Read(ref _popular)}, none {Interlocked.Read(ref _none)}";
}
