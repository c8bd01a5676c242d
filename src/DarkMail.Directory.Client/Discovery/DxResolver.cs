// spec/discovery.md (DESIGN §3): resolves `_dx.<domain>` TXT through one configured
// validating resolver with DnsClient. Parameters: EDNS with the DO bit under require and
// prefer (never the CD bit: DnsClient cannot set it), UDP payload 1232 with TCP fallback,
// DnsClient's own timeout and retries as the only retry layer, DnsClient's cache off and a
// DxCache of our own keyed by (resolver, policy, name) for the answer's TTL. Every outcome
// is a DxResult; only misuse (a domain that is not normalised) and the caller's
// cancellation throw.
using System.Net;
using DarkMail.Directory.Core.Addresses;
using DnsClient;
using DnsClient.Protocol;

namespace DarkMail.Directory.Client.Discovery;

/// <summary>What discovery needs from DNS: so that the HTTP half can be tested with a stand-in.</summary>
public interface IDxResolver
{
    /// <inheritdoc cref="DxResolver.ResolveAsync"/>
    ValueTask<DxResult> ResolveAsync(string domain, DnssecPolicy policy = DnssecPolicy.Require, CancellationToken cancellationToken = default);
}

public sealed class DxResolver : IDxResolver
{
    /// <summary>Longest DNS name in text form, without the trailing dot (RFC 1035 §2.3.4).</summary>
    public const int MaxNameLength = 253;

    public const string Prefix = "_dx.";

    // CNAME links followed inside one answer before giving up (a loop or a silly chain).
    private const int MaxAliasChain = 8;

    private readonly LookupClient secure;
    private readonly LookupClient plain;
    private readonly TimeProvider time;
    private readonly TimeSpan maxCacheTtl;
    private long queriesSent;

    /// <summary>
    /// Builds a resolver. <paramref name="cache"/> may be shared between resolvers (its keys
    /// hold the resolver endpoint); by default each resolver has its own.
    /// </summary>
    public DxResolver(DxResolverOptions options, TimeProvider? timeProvider = null, DxCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Resolver is null)
        {
            throw new ArgumentException("A resolver endpoint is required.", nameof(options));
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromSeconds(30))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Timeout, "Timeout must be more than zero and at most 30 s.");
        }

        if (options.Retries is < 0 or > 5)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Retries, "Retries must be 0 to 5.");
        }

        if (options.UdpBufferSize is < 512 or > 4096)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.UdpBufferSize, "The UDP buffer size must be 512 to 4096.");
        }

        if (options.MaxCacheTtl < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxCacheTtl, "The longest cache time cannot be negative.");
        }

        // A copy: IPEndPoint is mutable, and it keys the cache.
        Resolver = new IPEndPoint(options.Resolver.Address, options.Resolver.Port);
        time = timeProvider ?? TimeProvider.System;
        Cache = cache ?? new DxCache();
        maxCacheTtl = options.MaxCacheTtl;
        secure = new LookupClient(ClientOptions(Resolver, options, dnssec: true));
        plain = new LookupClient(ClientOptions(Resolver, options, dnssec: false));
    }

    public IPEndPoint Resolver { get; }

    public DxCache Cache { get; }

    /// <summary>Lookups sent to the resolver (not answered from the cache), DnsClient's retries not counted.</summary>
    public long QueriesSent => Interlocked.Read(ref queriesSent);

    /// <summary>The name holding a domain's record: <c>_dx.</c> followed by the domain.</summary>
    public static string RecordName(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        return Prefix + domain;
    }

    /// <summary>
    /// Looks up the `_dx` record of <paramref name="domain"/>, a normalised domain (lower-case
    /// A-labels, no trailing dot, as <c>Address.Domain</c> gives) — anything else is misuse
    /// and throws <see cref="ArgumentException"/>. Cancellation throws
    /// <see cref="OperationCanceledException"/>; every other outcome is the result.
    /// </summary>
    public async ValueTask<DxResult> ResolveAsync(string domain, DnssecPolicy policy = DnssecPolicy.Require, CancellationToken cancellationToken = default)
    {
        CheckDomain(domain);
        if (policy is not (DnssecPolicy.Require or DnssecPolicy.Prefer or DnssecPolicy.Off))
        {
            throw new ArgumentOutOfRangeException(nameof(policy), policy, "Unknown DNSSEC policy.");
        }

        var now = time.GetUtcNow();
        if (Cache.TryGet(Resolver, policy, domain, now, out var cached))
        {
            return cached;
        }

        if (Prefix.Length + domain.Length > MaxNameLength)
        {
            return Result(domain, policy, false, new DxOutcome(DxFailure.NameTooLong, null, null, null, $"_dx.{domain} is longer than {MaxNameLength} characters."), null);
        }

        var name = RecordName(domain);
        var client = policy == DnssecPolicy.Off ? plain : secure;
        IDnsQueryResponse response;
        Interlocked.Increment(ref queriesSent);
        try
        {
            response = await client.QueryAsync(name, QueryType.TXT, QueryClass.IN, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnavailable(e) && !cancellationToken.IsCancellationRequested)
        {
            return Result(domain, policy, false, new DxOutcome(DxFailure.ResolverUnavailable, null, null, null, $"No answer from {Resolver}: {OneLine(e)}"), null);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is not OperationCanceledException)
        {
            // DnsClient wraps the caller's cancellation; the caller gets it back as such.
            throw new OperationCanceledException("The lookup was cancelled.", e, cancellationToken);
        }

        now = time.GetUtcNow();
        if (!AnswersQuestion(response, name))
        {
            return Result(domain, policy, false, new DxOutcome(DxFailure.ResolverError, null, null, null, "The response does not answer the question asked."), null);
        }

        // Off asked without DO: an AD bit there is not ours to trust (RFC 6840 §5.7).
        var authenticated = policy != DnssecPolicy.Off && response.Header.IsAuthenticData;
        var txt = CollectTxt(response, name, out var ttl);
        var outcome = DxAnswer.Evaluate(response.Header.ResponseCode, authenticated, policy, txt);
        if (outcome.Failure == DxFailure.NoRecord && response.Header.ResponseCode is DnsHeaderResponseCode.NoError or DnsHeaderResponseCode.NotExistentDomain && txt.Count == 0)
        {
            ttl = NegativeTtl(response);
        }

        var expires = Cacheable(outcome.Failure) && ttl is { } seconds ? Expiry(now, seconds) : null;
        var result = Result(domain, policy, authenticated, outcome, expires);
        Cache.Set(result, now);
        return result;
    }

    private static LookupClientOptions ClientOptions(IPEndPoint resolver, DxResolverOptions options, bool dnssec) => new(resolver)
    {
        UseCache = false,
        Recursion = true,
        RequestDnsSecRecords = dnssec,
        ExtendedDnsBufferSize = options.UdpBufferSize,
        UseTcpFallback = true,
        Timeout = options.Timeout,
        Retries = options.Retries,
        ThrowDnsErrors = false,
        ContinueOnDnsError = false,
        ContinueOnEmptyResponse = false,
        UseRandomNameServer = false,
        EnableAuditTrail = false,
    };

    // Results that come from DNS data are cached for its TTL; SERVFAIL, other error codes
    // and transport failures never are (the next lookup asks again).
    private static bool Cacheable(DxFailure failure) => failure is DxFailure.None
        or DxFailure.NoRecord
        or DxFailure.BadRecord
        or DxFailure.AmbiguousRecord
        or DxFailure.DnssecAbsent;

    private DateTimeOffset? Expiry(DateTimeOffset now, uint ttlSeconds)
    {
        var ttl = TimeSpan.FromSeconds(ttlSeconds);
        if (ttl > maxCacheTtl)
        {
            ttl = maxCacheTtl;
        }

        return ttl > TimeSpan.Zero ? now + ttl : null;
    }

    private DxResult Result(string domain, DnssecPolicy policy, bool authenticated, DxOutcome outcome, DateTimeOffset? expires) =>
        new(domain, Resolver, policy, authenticated, outcome.Failure, outcome.Record, outcome.Text, outcome.RecordErrorCode, outcome.Message, expires);

    private static bool AnswersQuestion(IDnsQueryResponse response, string name)
    {
        if (response.Questions.Count != 1)
        {
            return false;
        }

        var question = response.Questions[0];
        return question.QuestionType == QueryType.TXT && question.QuestionClass == QueryClass.IN && SameName(question.QueryName.Value, name);
    }

    // The TXT records answering the question: at the name itself, or at the end of a CNAME
    // chain that starts there. TTL: the smallest of every record used.
    private static IReadOnlyList<IReadOnlyList<string>> CollectTxt(IDnsQueryResponse response, string name, out uint? ttl)
    {
        ttl = null;
        var answers = response.Answers;
        if (answers.Count == 0)
        {
            return [];
        }

        var owner = name;
        for (var links = 0; links < MaxAliasChain; links++)
        {
            CNameRecord? alias = null;
            foreach (var record in answers)
            {
                if (record is CNameRecord cname && SameName(cname.DomainName.Value, owner))
                {
                    alias = cname;
                    break;
                }
            }

            if (alias is null)
            {
                break;
            }

            ttl = Min(ttl, alias.InitialTimeToLive);
            owner = alias.CanonicalName.Value;
        }

        List<IReadOnlyList<string>>? found = null;
        foreach (var record in answers)
        {
            if (record is TxtRecord txt && SameName(txt.DomainName.Value, owner))
            {
                (found ??= []).Add(txt.Text.ToArray());
                ttl = Min(ttl, txt.InitialTimeToLive);
            }
        }

        if (found is null)
        {
            ttl = null;
            return [];
        }

        return found;
    }

    // RFC 2308 §5: a negative answer lives for the smaller of the SOA's TTL and its MINIMUM.
    private static uint? NegativeTtl(IDnsQueryResponse response)
    {
        foreach (var record in response.Authorities)
        {
            if (record is SoaRecord soa)
            {
                return Math.Min((uint)Math.Max(0, soa.InitialTimeToLive), soa.Minimum);
            }
        }

        return null;
    }

    private static uint Min(uint? current, int ttl)
    {
        var value = (uint)Math.Max(0, ttl);
        return current is { } c && c < value ? c : value;
    }

    private static bool SameName(string dnsName, string name)
    {
        var span = dnsName.AsSpan();
        if (span.EndsWith('.'))
        {
            span = span[..^1];
        }

        var other = name.AsSpan();
        if (other.EndsWith('.'))
        {
            other = other[..^1];
        }

        return span.Equals(other, StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsUnavailable(Exception e) =>
        e is DnsResponseException or System.Net.Sockets.SocketException or TimeoutException or OperationCanceledException or IOException
        || (e is AggregateException aggregate && aggregate.InnerExceptions.All(IsUnavailable));

    private static string OneLine(Exception e)
    {
        var message = e is DnsResponseException dns && !string.IsNullOrEmpty(dns.DnsError) ? $"{dns.DnsError} {e.Message}" : e.Message;
        return message.ReplaceLineEndings(" ");
    }

    // The domain rule has one owner (Core's DomainName, spec/addresses.md); a name that is not
    // already in its normalised form is the caller's bug, not a DNS outcome.
    private static void CheckDomain(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        if (!DomainName.IsNormalized(domain))
        {
            throw new ArgumentException($"\"{domain}\" is not a normalised domain (lower-case A-labels, no trailing dot).", nameof(domain));
        }
    }
}
