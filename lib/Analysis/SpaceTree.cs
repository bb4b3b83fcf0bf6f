using System.Runtime.CompilerServices;

namespace Workbook.Analysis;

/// <summary>
/// The Barnes-Hut space-partitioning tree of t-SNE's embedding (a quadtree in 2-D, an octree in 3-D):
/// each cell knows how many points it holds and their centre of mass, so the repulsion from a
/// far-away cell can be taken from that summary instead of from every point in it.
/// It is rebuilt from scratch every iteration and stored in flat arrays (no node objects), because
/// a tree walk is pointer chasing that tensors cannot express; the embedding is only N x 2.
/// What a walk reads of a node (centre of mass, squared width) sits together in one array, so a
/// visit touches one or two cache lines.
/// </summary>
/// <remarks>
/// The hot methods carry <see cref="MethodImplOptions.AggressiveOptimization"/>: `dotnet build`
/// defaults to Debug, whose unoptimised code made the walk about 3x slower.
/// </remarks>
internal sealed class SpaceTree
{
    // Deep enough for any float64 layout; only exactly coincident points ever reach it, and those
    // share one leaf.
    const int MaxDepth = 48;

    readonly int dim, fan, stride;
    // Per node: centre[dim], half-width[dim] (for building); summary[stride] = mass sum (centre of
    // mass once finished)[dim], squared width; links: count, first child (-1 for a leaf), first point.
    double[] geometry = [], summary = [];
    int[] links = [];
    int nodes;
    int[] nextInLeaf = [];

    public SpaceTree(int dimensions)
    {
        if (dimensions < 1 || dimensions > 3) throw new ArgumentOutOfRangeException(nameof(dimensions), "Barnes-Hut supports 1 to 3 output dimensions");
        dim = dimensions;
        fan = 1 << dimensions;
        stride = dim + 1;
    }

    /// <summary>The largest stack a walk can need: at each level the children of one node wait.</summary>
    public int StackSize => MaxDepth * fan + 1;

    /// <summary>Builds the tree of the n points in <paramref name="y"/> (row-major, n x dim).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Build(double[] y, int n)
    {
        nodes = 0;
        if (nextInLeaf.Length < n) nextInLeaf = new int[n];
        Span<double> lo = stackalloc double[dim];
        Span<double> hi = stackalloc double[dim];
        lo.Fill(double.PositiveInfinity);
        hi.Fill(double.NegativeInfinity);
        for (int i = 0; i < n; i++)
            for (int k = 0; k < dim; k++)
            {
                double v = y[i * dim + k];
                if (v < lo[k]) lo[k] = v;
                if (v > hi[k]) hi[k] = v;
            }
        int root = NewNode();
        for (int k = 0; k < dim; k++)
        {
            geometry[root * 2 * dim + k] = (lo[k] + hi[k]) / 2;
            // A little slack so that the extreme points lie strictly inside the root cell.
            geometry[root * 2 * dim + dim + k] = Math.Max((hi[k] - lo[k]) / 2 * (1 + 1e-6), 1e-12);
        }
        SetWidth(root);
        for (int i = 0; i < n; i++) Insert(y, i);
        // Mass sums become centres of mass, so a walk need not divide.
        for (int node = 0; node < nodes; node++)
        {
            int c = links[node * 3];
            if (c > 0)
                for (int k = 0; k < dim; k++) summary[node * stride + k] /= c;
        }
    }

    int NewNode()
    {
        if (nodes == links.Length / 3)
        {
            int capacity = Math.Max(64, nodes * 2);
            Array.Resize(ref geometry, capacity * 2 * dim);
            Array.Resize(ref summary, capacity * stride);
            Array.Resize(ref links, capacity * 3);
        }
        int node = nodes++;
        links[node * 3] = 0;
        links[node * 3 + 1] = -1;
        links[node * 3 + 2] = -1;
        for (int k = 0; k < dim; k++) summary[node * stride + k] = 0;
        return node;
    }

    void SetWidth(int node)
    {
        double w = 0;
        for (int k = 0; k < dim; k++) w = Math.Max(w, 2 * geometry[node * 2 * dim + dim + k]);
        summary[node * stride + dim] = w * w;
    }

    int ChildFor(int node, double[] y, int point)
    {
        int c = 0;
        for (int k = 0; k < dim; k++)
            if (y[point * dim + k] > geometry[node * 2 * dim + k]) c |= 1 << k;
        return links[node * 3 + 1] + c;
    }

    bool SamePosition(double[] y, int a, int b)
    {
        for (int k = 0; k < dim; k++)
            if (y[a * dim + k] != y[b * dim + k]) return false;
        return true;
    }

    void AddMass(int node, double[] y, int point)
    {
        links[node * 3]++;
        for (int k = 0; k < dim; k++) summary[node * stride + k] += y[point * dim + k];
    }

    void Insert(double[] y, int point)
    {
        int node = 0;
        for (int depth = 0; ; depth++)
        {
            AddMass(node, y, point);
            if (links[node * 3 + 1] >= 0) { node = ChildFor(node, y, point); continue; }
            int head = links[node * 3 + 2];
            if (head < 0) { links[node * 3 + 2] = point; nextInLeaf[point] = -1; return; }
            if (depth >= MaxDepth || SamePosition(y, head, point))
            {
                nextInLeaf[point] = head;
                links[node * 3 + 2] = point;
                return;
            }
            Split(node, y);
            node = ChildFor(node, y, point);
        }
    }

    /// <summary>Turns a leaf into an inner node; its points (all at one position) move to one child.</summary>
    void Split(int node, double[] y)
    {
        int first = nodes;
        for (int c = 0; c < fan; c++)
        {
            int child = NewNode();
            for (int k = 0; k < dim; k++)
            {
                double h = geometry[node * 2 * dim + dim + k] / 2;
                geometry[child * 2 * dim + dim + k] = h;
                geometry[child * 2 * dim + k] = geometry[node * 2 * dim + k] + (((c >> k) & 1) == 1 ? h : -h);
            }
            SetWidth(child);
        }
        links[node * 3 + 1] = first;
        int head = links[node * 3 + 2];
        links[node * 3 + 2] = -1;
        int target = ChildFor(node, y, head);
        links[target * 3 + 2] = head;
        for (int p = head; p >= 0; p = nextInLeaf[p]) AddMass(target, y, p);
    }

    /// <summary>
    /// Writes the points in tree order (depth first, leaf by leaf) into <paramref name="order"/>:
    /// consecutive points are then close in space, so their walks visit mostly the same nodes,
    /// which stay in cache.
    /// </summary>
    public void PointsInTreeOrder(int[] order)
    {
        int filled = 0;
        var stack = new int[StackSize];
        int top = 0;
        stack[top++] = 0;
        while (top > 0)
        {
            int node = stack[--top];
            int first = links[node * 3 + 1];
            if (first < 0)
            {
                for (int j = links[node * 3 + 2]; j >= 0; j = nextInLeaf[j]) order[filled++] = j;
                continue;
            }
            for (int child = first + fan - 1; child >= first; child--)
                if (links[child * 3] > 0) stack[top++] = child;
        }
    }

    /// <summary>
    /// The repulsive pull on point <paramref name="i"/>: adds sum_j q_ij^2 (y_i - y_j) to
    /// <paramref name="force"/> (unnormalised q_ij = 1 / (1 + |y_i - y_j|^2)) and returns sum_j q_ij,
    /// j != i. A cell whose width is less than theta times its distance from the point stands in for
    /// all its points at their centre of mass.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Repulsion(double[] y, int i, double thetaSq, Span<double> force, int[] stack)
    {
        if (dim == 2) return Repulsion2(y, i, thetaSq, force, stack);
        double sumQ = 0;
        Span<double> diff = stackalloc double[dim];
        int top = 0;
        stack[top++] = 0;
        while (top > 0)
        {
            int node = stack[--top];
            int c = links[node * 3];
            if (c == 0) continue;
            int first = links[node * 3 + 1];
            if (first < 0)
            {
                // A leaf: its points, each exactly (usually there is only one).
                for (int j = links[node * 3 + 2]; j >= 0; j = nextInLeaf[j])
                {
                    if (j == i) continue;
                    double d2 = 0;
                    for (int k = 0; k < dim; k++) { diff[k] = y[i * dim + k] - y[j * dim + k]; d2 += diff[k] * diff[k]; }
                    double q = 1 / (1 + d2);
                    sumQ += q;
                    for (int k = 0; k < dim; k++) force[k] += q * q * diff[k];
                }
                continue;
            }
            double dist2 = 0;
            for (int k = 0; k < dim; k++)
            {
                diff[k] = y[i * dim + k] - summary[node * stride + k];
                dist2 += diff[k] * diff[k];
            }
            if (summary[node * stride + dim] < thetaSq * dist2)
            {
                double q = 1 / (1 + dist2);
                sumQ += c * q;
                for (int k = 0; k < dim; k++) force[k] += c * q * q * diff[k];
                continue;
            }
            for (int child = first; child < first + fan; child++)
                if (links[child * 3] > 0) stack[top++] = child;
        }
        return sumQ;
    }

    /// <summary>The same walk written out for two dimensions, the case every scatter plot uses.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    double Repulsion2(double[] y, int i, double thetaSq, Span<double> force, int[] stack)
    {
        double yx = y[2 * i], yy = y[2 * i + 1];
        double sumQ = 0, fx = 0, fy = 0;
        var s = summary;
        var l = links;
        int top = 0;
        stack[top++] = 0;
        while (top > 0)
        {
            int node = stack[--top];
            int first = l[node * 3 + 1];
            if (first < 0)
            {
                for (int j = l[node * 3 + 2]; j >= 0; j = nextInLeaf[j])
                {
                    if (j == i) continue;
                    double dx = yx - y[2 * j], dy = yy - y[2 * j + 1];
                    double q = 1 / (1 + dx * dx + dy * dy);
                    sumQ += q;
                    double qq = q * q;
                    fx += qq * dx;
                    fy += qq * dy;
                }
                continue;
            }
            double cx = yx - s[node * 3], cy = yy - s[node * 3 + 1];
            double dist2 = cx * cx + cy * cy;
            if (s[node * 3 + 2] < thetaSq * dist2)
            {
                int c = l[node * 3];
                double q = 1 / (1 + dist2);
                sumQ += c * q;
                double cqq = c * q * q;
                fx += cqq * cx;
                fy += cqq * cy;
                continue;
            }
            for (int child = first; child < first + 4; child++)
                if (l[child * 3] > 0) stack[top++] = child;
        }
        force[0] += fx;
        force[1] += fy;
        return sumQ;
    }
}
