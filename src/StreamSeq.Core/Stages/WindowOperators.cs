using System.Reactive.Disposables;
using System.Reactive.Linq;

namespace StreamSeq.Stages;

/// <summary>
/// The Rx operators behind <c>window.sliding</c> and <c>window.tumbling</c>. Each keeps one share of every
/// packet that may still fall in a future window, gives each emitted window its own share of its members,
/// and releases what it holds when the stream ends or the subscription is disposed.
/// </summary>
internal static class WindowOperators
{
    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    /// <summary>Hands a window packet to the observer; if the observer throws, the packet's share is released.</summary>
    private static void Hand<T>(IObserver<Packet<Window<T>>> observer, Packet<Window<T>> packet)
    {
        try
        {
            observer.OnNext(packet);
        }
        catch
        {
            packet.Release(AckOutcome.Failed);
            throw;
        }
    }

    /// <summary>Windows of <paramref name="size"/> packets, one every <paramref name="hop"/> packets.</summary>
    public static IObservable<Packet<Window<T>>> ByCount<T>(IObservable<Packet<T>> source, int size, int hop, bool emitPartial, string streamId)
        => Observable.Create<Packet<Window<T>>>(observer =>
        {
            var held = new Queue<Packet<T>>();
            long count = 0;
            long sequence = 0;
            long emitted = 0;
            var done = false;

            void ReleaseHeld(AckOutcome outcome)
            {
                while (held.Count > 0)
                {
                    held.Dequeue().Release(outcome);
                }
            }

            void Emit(Packet<T>[] members)
            {
                foreach (var member in members)
                {
                    member.Retain();
                }
                var window = new Window<T>(members, members[0].OriginatingTime, members[^1].OriginatingTime);
                var last = members[^1];
                Hand(observer, window.ToPacket(last.OriginatingTime, sequence++, streamId));
            }

            var subscription = source.Subscribe(
                packet =>
                {
                    held.Enqueue(packet.Retain());
                    count++;
                    if (held.Count > size)
                    {
                        held.Dequeue().Release();
                    }
                    if (count >= size && (count - size) % hop == 0)
                    {
                        emitted++;
                        Emit(held.ToArray());
                    }
                },
                error =>
                {
                    done = true;
                    ReleaseHeld(AckOutcome.Failed);
                    observer.OnError(error);
                },
                () =>
                {
                    done = true;
                    // The next window would start at emitted·hop; it is partial, and worth emitting only when
                    // it holds packets no emitted window covered.
                    var nextStart = emitted * hop;
                    var covered = emitted == 0 ? 0 : (emitted - 1) * hop + size;
                    if (emitPartial && nextStart < count && count > covered)
                    {
                        var skip = (int)(nextStart - (count - held.Count));
                        Emit(held.Skip(skip).ToArray());
                    }
                    ReleaseHeld(AckOutcome.Completed);
                    observer.OnCompleted();
                });

            return Disposable.Create(() =>
            {
                subscription.Dispose();
                if (!done)
                {
                    // Disposed mid-stream (stop, abort, restart): members of windows never emitted were dropped.
                    done = true;
                    ReleaseHeld(AckOutcome.Dropped);
                }
            });
        });

    /// <summary>
    /// Windows of originating time <c>[k·every, k·every + duration)</c>. A window closes when a packet at or
    /// after its end arrives; packets older than the oldest open window are late and dropped.
    /// </summary>
    public static IObservable<Packet<Window<T>>> ByTime<T>(IObservable<Packet<T>> source, TimeSpan duration, TimeSpan every, bool emitPartial, string streamId)
        => Observable.Create<Packet<Window<T>>>(observer =>
        {
            var held = new List<Packet<T>>();
            long nextStart = long.MinValue;
            long sequence = 0;
            var done = false;
            var d = duration.Ticks;
            var e = every.Ticks;

            void ReleaseHeld(AckOutcome outcome)
            {
                foreach (var packet in held)
                {
                    packet.Release(outcome);
                }
                held.Clear();
            }

            void CloseWindow()
            {
                var end = nextStart + d;
                var members = held.Where(p => p.OriginatingTime.Ticks >= nextStart && p.OriginatingTime.Ticks < end).ToArray();
                if (members.Length > 0)
                {
                    foreach (var member in members)
                    {
                        member.Retain();
                    }
                    var window = new Window<T>(members, new DateTime(nextStart, DateTimeKind.Utc), new DateTime(end, DateTimeKind.Utc));
                    Hand(observer, window.ToPacket(window.End, sequence++, streamId));
                }
                nextStart += e;
                held.RemoveAll(p =>
                {
                    if (p.OriginatingTime.Ticks >= nextStart)
                    {
                        return false;
                    }
                    p.Release();
                    return true;
                });
            }

            var subscription = source.Subscribe(
                packet =>
                {
                    var t = packet.OriginatingTime.Ticks;
                    if (nextStart == long.MinValue)
                    {
                        // The first window that contains t: the smallest k with k·every + duration > t.
                        // Integer arithmetic: ticks need 60 bits, more than a double holds exactly.
                        nextStart = (FloorDiv(t - d, e) + 1) * e;
                    }
                    while (nextStart + d <= t)
                    {
                        if (held.Count == 0)
                        {
                            // Nothing held: skip the empty windows in one step (a clock jump of a day with
                            // 1 ms windows would otherwise close 86 million of them one by one).
                            nextStart = Math.Max(nextStart, (FloorDiv(t - d, e) + 1) * e);
                            break;
                        }
                        CloseWindow();
                    }
                    if (t < nextStart)
                    {
                        return; // late: every window it belongs to was already emitted
                    }
                    held.Add(packet.Retain());
                },
                error =>
                {
                    done = true;
                    ReleaseHeld(AckOutcome.Failed);
                    observer.OnError(error);
                },
                () =>
                {
                    done = true;
                    if (emitPartial)
                    {
                        while (held.Count > 0)
                        {
                            CloseWindow();
                        }
                    }
                    ReleaseHeld(AckOutcome.Completed);
                    observer.OnCompleted();
                });

            return Disposable.Create(() =>
            {
                subscription.Dispose();
                if (!done)
                {
                    // Disposed mid-stream (stop, abort, restart): members of windows never emitted were dropped.
                    done = true;
                    ReleaseHeld(AckOutcome.Dropped);
                }
            });
        });
}
