namespace DirectConnect.IntegrationTests;

/// <summary>Lists that the randomized concurrent tests' workers add to and pick from at once.</summary>
internal static class SharedLists
{
    /// <summary>The item at <paramref name="pick"/> modulo the count, read under the list's lock.</summary>
    public static T Pick<T>(List<T> items, int pick)
    {
        lock (items)
        {
            return items[pick % items.Count];
        }
    }

    /// <summary>Adds <paramref name="item"/> under the list's lock.</summary>
    public static void Add<T>(List<T> items, T item)
    {
        lock (items)
        {
            items.Add(item);
        }
    }
}
