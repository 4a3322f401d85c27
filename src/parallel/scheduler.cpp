#include "mwclass/parallel/scheduler.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <map>

#include <sys/resource.h>

#include "mwclass/core/bytes.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/ensemble/assemble.hpp"

namespace mwclass::parallel {

namespace {

constexpr int kTagReady = 21;  // worker -> 0: idle, maybe with a chunk result
constexpr int kTagWork = 22;   // 0 -> worker: a chunk with its item and sources
constexpr int kTagStop = 23;   // 0 -> worker: no more work
constexpr int kTagStats = 24;  // worker -> 0: its RankStats, after the stop

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double peak_rss_mb() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux: kilobytes
}

// Relative cost of one iteration of an item: the forest fit dominates;
// prediction grows with the sources (measured: ~1/2000 of a fit per source).
double iteration_cost(const ensemble::WorkItem& item) {
  return 1.0 + static_cast<double>(item.rows.size()) / 2000.0;
}

void encode_work(ByteWriter& w, const ensemble::Chunk& chunk, const ensemble::WorkItem& item,
                 const catalog::Catalog& sources) {
  w.put(chunk);
  encode_fields(w, item);
  encode_fields(w, sources);
}

void decode_work(ByteReader& r, ensemble::Chunk& chunk, ensemble::WorkItem& item,
                 catalog::Catalog& sources) {
  r.get(chunk);
  decode_fields(r, item);
  decode_fields(r, sources);
}

void run_worker(Communicator& comm, const ensemble::Ensemble& ensemble, int threads) {
  const double start = now_seconds();
  RankStats stats;
  std::vector<char> bytes;
  comm.send(bytes, 0, kTagReady);
  for (;;) {
    const auto envelope = comm.wait();
    comm.receive(bytes, envelope);
    if (envelope.tag == kTagStop) {
      stats.wall_seconds = now_seconds() - start;
      stats.peak_rss_mb = peak_rss_mb();
      ByteWriter w;
      w.put(stats);
      comm.send(w.bytes(), 0, kTagStats);
      comm.finish_sends();
      return;
    }
    if (envelope.tag != kTagWork) fail("internal error: worker got message tag {}", envelope.tag);
    ensemble::Chunk chunk;
    ensemble::WorkItem item;
    catalog::Catalog sources;
    ByteReader in(bytes);
    decode_work(in, chunk, item, sources);
    const double t0 = now_seconds();
    const auto result = ensemble.run_chunk(sources, item, chunk, threads, [&] { comm.progress_sends(); });
    stats.busy_seconds += now_seconds() - t0;
    ByteWriter out;
    encode_fields(out, result);
    // Non-blocking: the worker goes on with its queued chunk while rank 0,
    // busy with its own iteration, has not yet taken the result.
    comm.send_async(std::move(out.bytes()), 0, kTagReady);
  }
}

}  // namespace

std::vector<ensemble::Chunk> plan_chunks(const std::vector<ensemble::WorkItem>& items,
                                         int iterations, int n_ranks, int chunks_per_rank) {
  double total = 0;
  for (const auto& item : items) total += iteration_cost(item) * iterations;
  // One rank needs no cutting; otherwise aim at n_ranks x chunks_per_rank
  // chunks of similar cost, never below one iteration.
  const double target = total / (n_ranks * std::max(1, chunks_per_rank));
  std::vector<std::pair<double, ensemble::Chunk>> chunks;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const double per_iteration = iteration_cost(items[i]);
    const int size = n_ranks == 1 ? iterations
                                  : static_cast<int>(std::clamp(std::ceil(target / per_iteration), 1.0,
                                                                static_cast<double>(iterations)));
    for (int first = 0; first < iterations; first += size) {
      const int count = std::min(size, iterations - first);
      chunks.push_back({per_iteration * count, {i, first, count}});
    }
  }
  std::stable_sort(chunks.begin(), chunks.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<ensemble::Chunk> out;
  out.reserve(chunks.size());
  for (const auto& c : chunks) out.push_back(c.second);
  return out;
}

RunOutcome run_items(Communicator& comm, const ensemble::Ensemble& ensemble,
                     const catalog::Catalog& sources, const std::vector<ensemble::WorkItem>& items,
                     const ScheduleOptions& options) {
  RunOutcome outcome;
  const double start = now_seconds();
  double busy = 0;
  if (!comm.is_root()) {
    run_worker(comm, ensemble, options.threads);
    return outcome;
  }
  const int n_iter = ensemble.iterations();
  const int n_classes = static_cast<int>(ensemble.n_classes());
  std::deque<ensemble::Chunk> queue;
  for (const auto& c : plan_chunks(items, n_iter, comm.size(), options.chunks_per_rank)) queue.push_back(c);
  std::map<std::size_t, std::vector<ensemble::ChunkResult>> pending;  // item -> chunks so far
  std::map<std::size_t, int> iterations_in;                            // item -> iterations so far
  const auto stopping = [&] { return options.stop && options.stop(); };
  const int n_workers = comm.size() - 1;
  // Each worker holds up to kDepth chunks (one running, one queued), so that it
  // never waits for rank 0 to finish an iteration before it gets new work.
  constexpr int kDepth = 2;
  std::vector<int> outstanding(static_cast<std::size_t>(comm.size()), 0);
  std::vector<char> stopped(static_cast<std::size_t>(comm.size()), 0);
  int stopped_workers = 0, stats_in = 0, in_flight = 0;
  outcome.ranks.resize(static_cast<std::size_t>(comm.size()));
  std::vector<char> bytes;

  auto add_chunk = [&](ensemble::ChunkResult&& c) {
    const std::size_t i = c.chunk.item;
    iterations_in[i] += c.chunk.count;
    pending[i].push_back(std::move(c));
    if (iterations_in[i] < n_iter) return;
    auto result = ensemble::finish_item(items[i], std::move(pending[i]), n_classes, n_iter,
                                        options.keep_iterations);
    pending.erase(i);
    iterations_in.erase(i);
    if (options.on_item_done) options.on_item_done(i, result);
    outcome.results.push_back(std::move(result));
  };
  auto dispatch = [&](int worker) {
    const auto w = static_cast<std::size_t>(worker);
    if (stopped[w]) return;
    while (outstanding[w] < kDepth && !stopping() && !queue.empty()) {
      const ensemble::Chunk chunk = queue.front();
      queue.pop_front();
      const auto& item = items[chunk.item];
      ByteWriter out;
      encode_work(out, chunk, item, sources.subset({item.rows.begin(), item.rows.end()}));
      comm.send_async(std::move(out.bytes()), worker, kTagWork);
      ++outstanding[w];
      ++in_flight;
    }
    if (outstanding[w] == 0) {  // nothing to do now means nothing to do ever
      comm.send_async({}, worker, kTagStop);
      stopped[w] = 1;
      ++stopped_workers;
    }
  };
  // Receives every waiting message (the first one blocking if `block`).
  auto serve = [&](bool block) {
    Communicator::Envelope envelope;
    while (block ? (envelope = comm.wait(), true) : comm.poll(envelope)) {
      block = false;
      comm.receive(bytes, envelope);
      const auto w = static_cast<std::size_t>(envelope.source);
      if (envelope.tag == kTagStats) {
        ByteReader in(bytes);
        in.get(outcome.ranks[w]);
        ++stats_in;
        continue;
      }
      if (envelope.tag != kTagReady) fail("internal error: rank 0 got message tag {}", envelope.tag);
      if (!bytes.empty()) {
        ensemble::ChunkResult c;
        ByteReader in(bytes);
        decode_fields(in, c);
        --outstanding[w];
        --in_flight;
        add_chunk(std::move(c));
      }
      dispatch(envelope.source);
    }
  };

  for (;;) {
    serve(false);
    if (!stopping() && !queue.empty()) {
      const ensemble::Chunk chunk = queue.front();
      queue.pop_front();
      const auto& item = items[chunk.item];
      const double t0 = now_seconds();
      auto result = ensemble.run_chunk(sources.subset({item.rows.begin(), item.rows.end()}), item,
                                       chunk, options.threads, [&] { serve(false); });
      busy += now_seconds() - t0;
      add_chunk(std::move(result));
      continue;
    }
    if (stopped_workers == n_workers && in_flight == 0 && stats_in == n_workers) break;
    serve(true);
  }
  comm.finish_sends();
  outcome.interrupted = outcome.results.size() < items.size();
  outcome.ranks[0] = {busy, now_seconds() - start, peak_rss_mb()};
  return outcome;
}

}  // namespace mwclass::parallel
