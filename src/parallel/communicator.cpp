#include "mwclass/parallel/communicator.hpp"

#include <climits>

#include <mpi.h>

#include "mwclass/core/error.hpp"

namespace mwclass::parallel {

namespace {
void check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(code, text, &len);
  fail("MPI error in {}: {}", what, std::string(text, static_cast<std::size_t>(len)));
}

// Large buffers travel in chunks: MPI counts are int.
constexpr std::size_t kChunk = 1u << 30;
}  // namespace

Communicator::Communicator(int& argc, char**& argv) {
  int provided = 0;
  check(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
}

Communicator::~Communicator() { MPI_Finalize(); }

void Communicator::broadcast(std::vector<char>& bytes) const {
  unsigned long long n = bytes.size();
  check(MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD), "MPI_Bcast");
  bytes.resize(n);
  for (std::size_t off = 0; off < n; off += kChunk) {
    const int count = static_cast<int>(std::min<std::size_t>(kChunk, n - off));
    check(MPI_Bcast(bytes.data() + off, count, MPI_CHAR, 0, MPI_COMM_WORLD), "MPI_Bcast");
  }
}

void Communicator::broadcast_status(bool& ok, std::string& message) const {
  std::vector<char> bytes;
  if (is_root()) {
    bytes.push_back(ok ? 1 : 0);
    bytes.insert(bytes.end(), message.begin(), message.end());
  }
  broadcast(bytes);
  ok = bytes.at(0) == 1;
  message.assign(bytes.begin() + 1, bytes.end());
}

void Communicator::send(const std::vector<char>& bytes, int destination, int tag) const {
  unsigned long long n = bytes.size();
  check(MPI_Send(&n, 1, MPI_UNSIGNED_LONG_LONG, destination, tag, MPI_COMM_WORLD), "MPI_Send");
  for (std::size_t off = 0; off < n; off += kChunk) {
    const int count = static_cast<int>(std::min<std::size_t>(kChunk, n - off));
    check(MPI_Send(bytes.data() + off, count, MPI_CHAR, destination, tag, MPI_COMM_WORLD), "MPI_Send");
  }
}

int Communicator::receive(std::vector<char>& bytes, int tag) const {
  unsigned long long n = 0;
  MPI_Status status;
  check(MPI_Recv(&n, 1, MPI_UNSIGNED_LONG_LONG, MPI_ANY_SOURCE, tag, MPI_COMM_WORLD, &status), "MPI_Recv");
  const int source = status.MPI_SOURCE;
  bytes.resize(n);
  for (std::size_t off = 0; off < n; off += kChunk) {
    const int count = static_cast<int>(std::min<std::size_t>(kChunk, n - off));
    check(MPI_Recv(bytes.data() + off, count, MPI_CHAR, source, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
          "MPI_Recv");
  }
  return source;
}

bool Communicator::poll(Envelope& envelope) const {
  int flag = 0;
  MPI_Status status;
  check(MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status), "MPI_Iprobe");
  if (!flag) return false;
  envelope = {status.MPI_SOURCE, status.MPI_TAG};
  return true;
}

Communicator::Envelope Communicator::wait() const {
  MPI_Status status;
  check(MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &status), "MPI_Probe");
  return {status.MPI_SOURCE, status.MPI_TAG};
}

void Communicator::receive(std::vector<char>& bytes, const Envelope& e) const {
  unsigned long long n = 0;
  check(MPI_Recv(&n, 1, MPI_UNSIGNED_LONG_LONG, e.source, e.tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
  bytes.resize(n);
  for (std::size_t off = 0; off < n; off += kChunk) {
    const int count = static_cast<int>(std::min<std::size_t>(kChunk, n - off));
    check(MPI_Recv(bytes.data() + off, count, MPI_CHAR, e.source, e.tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
          "MPI_Recv");
  }
}

struct Communicator::PendingSend {
  unsigned long long size = 0;
  std::vector<char> bytes;
  MPI_Request requests[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
};

void Communicator::send_async(std::vector<char> bytes, int destination, int tag) {
  progress_sends();
  if (bytes.size() > kChunk) {  // rare and huge: the blocking path handles chunking
    send(bytes, destination, tag);
    return;
  }
  auto p = std::make_shared<PendingSend>();
  p->bytes = std::move(bytes);
  p->size = p->bytes.size();
  check(MPI_Isend(&p->size, 1, MPI_UNSIGNED_LONG_LONG, destination, tag, MPI_COMM_WORLD, &p->requests[0]),
        "MPI_Isend");
  if (p->size)
    check(MPI_Isend(p->bytes.data(), static_cast<int>(p->size), MPI_CHAR, destination, tag,
                    MPI_COMM_WORLD, &p->requests[1]),
          "MPI_Isend");
  pending_sends_.push_back(std::move(p));
}

void Communicator::progress_sends() {
  std::vector<std::shared_ptr<PendingSend>> still;
  for (auto& p : pending_sends_) {
    int done = 0;
    check(MPI_Testall(2, p->requests, &done, MPI_STATUSES_IGNORE), "MPI_Testall");
    if (!done) still.push_back(std::move(p));
  }
  pending_sends_.swap(still);
}

void Communicator::finish_sends() {
  for (auto& p : pending_sends_) check(MPI_Waitall(2, p->requests, MPI_STATUSES_IGNORE), "MPI_Waitall");
  pending_sends_.clear();
}

void Communicator::barrier() const { check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); }

void Communicator::abort(int exit_code) const {
  MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::_Exit(exit_code);
}

}  // namespace mwclass::parallel
