namespace Supervise;

/// <summary>Which children a supervisor restarts when one of them has to be restarted.</summary>
public enum Strategy
{
    /// <summary>Only the child that exited (OTP <c>one_for_one</c>). The default.</summary>
    OneForOne,

    /// <summary>Every child (OTP <c>one_for_all</c>).</summary>
    OneForAll,

    /// <summary>The child that exited and every child started after it (OTP <c>rest_for_one</c>).</summary>
    RestForOne,
}
